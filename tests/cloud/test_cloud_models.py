"""The models accept what the real cloud sends: strings for ints, missing and unknown fields,
and the 1 = on / 2 = off flags."""

from ttlock_bridge.cloud.models import (
    IssuedPasscode,
    LockDetail,
    LockRecord,
    LockSummary,
    OpenState,
    OpenStateAnswer,
    PassageModeConfig,
    Passcode,
    mask_code,
)


def test_lock_detail_tolerates_strings_missing_and_unknown_fields() -> None:
    detail = LockDetail.model_validate(
        {
            "lockId": "3456789",
            "lockName": "S202F_55ce63",
            "electricQuantity": "68",
            "hasGateway": 1,
            "privacyLock": 2,
            "tamperAlert": 0,
            "passageMode": "1",
            "lockVersion": {"protocolType": 5},
            "brandNewField": [1, 2, 3],
        }
    )
    assert detail.lock_id == 3456789
    assert detail.electric_quantity == 68
    assert detail.has_gateway is True
    assert detail.privacy_lock is False
    assert detail.tamper_alert is None
    assert detail.passage_mode is True
    assert detail.lock_sound is None
    assert detail.display_name == "S202F_55ce63"


def test_feature_bits_are_read_from_the_hex_bitmask() -> None:
    lock = LockSummary.model_validate({"lockId": 1, "featureValue": "F44354CD5F3"})
    assert lock.supports(0)  # passcode
    assert lock.supports(10)  # unlock via gateway
    assert not lock.supports(3)
    assert not LockSummary.model_validate({"lockId": 1, "featureValue": "zz"}).supports(0)


def test_passcodes_stay_strings_and_keep_leading_zeros() -> None:
    issued = IssuedPasscode.model_validate({"keyboardPwd": "0563456", "keyboardPwdId": 10236})
    assert issued.keyboard_pwd == "0563456"
    listed = Passcode.model_validate(
        {"keyboardPwdId": "7", "keyboardPwd": 4711, "keyboardPwdType": "3", "isCustom": 1}
    )
    assert listed.keyboard_pwd == "4711"
    assert listed.keyboard_pwd_type == 3
    assert listed.is_custom is True


def test_passcodes_never_show_in_repr_and_mask_to_the_last_two_digits() -> None:
    listed = Passcode.model_validate({"keyboardPwdId": 7, "keyboardPwd": "918273"})
    assert "918273" not in repr(listed)
    assert listed.masked_code == "****73"
    assert mask_code("12") == "**"


def test_button_events_have_no_username_and_an_empty_code() -> None:
    record = LockRecord.model_validate(
        {"recordType": 46, "success": 1, "username": None, "keyboardPwd": "", "lockDate": 1}
    )
    assert record.username is None
    assert record.success is True
    assert record.keyboard_pwd == ""


def test_open_state_defaults_to_unknown_when_missing() -> None:
    assert OpenStateAnswer.model_validate({}).state is OpenState.UNKNOWN
    assert OpenStateAnswer.model_validate({"state": "1"}).state is OpenState.UNLOCKED


def test_passage_mode_all_day_answer_has_no_minutes() -> None:
    config = PassageModeConfig.model_validate(
        {"passageMode": 1, "isAllDay": 1, "weekDays": "[1,2,3]", "autoUnlock": 2}
    )
    assert config.passage_mode is True
    assert config.is_all_day is True
    assert config.auto_unlock is False
    assert config.start_date is None
