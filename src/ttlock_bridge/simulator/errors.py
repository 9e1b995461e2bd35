"""The TTLock errcode catalogue the simulator answers with, and the exceptions that carry it.

Texts follow reference §2.3 and §4: `errmsg` is the short English text, `description` the
Chinese one where a live capture gave it (otherwise the English doc text again).
"""

from typing import Final

SUCCESS_ERRMSG: Final = "none error message or means yes"
SUCCESS_DESCRIPTION: Final = "表示成功或是"

# Assumption (reference §2.1, §20): the real errcode for a non-form body is unknown. We answer
# -3 ("Invalid Parameter"), because it is a bad request a client must not retry, with the
# Apache-Oltu errmsg the real OAuth layer is believed to produce.
WRONG_CONTENT_TYPE_ERRMSG: Final = (
    "invalid_request, Bad request content type. Expecting: application/x-www-form-urlencoded"
)

ERROR_TEXTS: Final[dict[int, tuple[str, str]]] = {
    1: ("failed or means no", "表示失败或否"),
    -3: ("Invalid Parameter", "参数错误"),
    10000: ("invalid client_id", "client_id不存在"),
    10001: ("invalid client", "无效的client, client_id或client_secret错误"),
    10003: ("invalid token", "token不存在"),
    10004: ("invalid grant", "token无授权, token已失效或被撤销授权"),
    10007: ("invalid account or invalid password", "username或password错误"),
    10010: ("unsupported grant_type", "不支持的grant_type"),
    10011: ("invalid refresh_token", "refresh_token无效"),
    20002: ("not lock admin", "不是锁管理员"),
    30002: (
        "invalid username, only English character and digits is allowed",
        "用户名只能包含英文字母和数字",
    ),
    30003: ("existing registered users", "用户已注册"),
    30005: ("password must be md5 encrypted", "密码必须经过md5加密"),
    80000: ("date must be current time, in 5 minutes", "date必须为当前时间, 5分钟内有效"),
    80002: ("invalid json format", "json格式错误"),
    90000: ("internal server error", "服务器内部错误"),
    -1003: ("Lock does not exist", "锁不存在"),
    -1007: (
        "No passcode data for this lock. Please reset passcodes and try again.",
        "No passcode data for this lock. Please reset passcodes and try again.",
    ),
    -1026: (
        "A passcode for this period was obtained and deleted, please choose another hour",
        "该时间段的密码已获取并删除, 请选择其他整点时间",
    ),
    -2009: ("Invalid Password", "密码不存在"),
    -2012: ("The lock is not connected to any gateway", "锁附近没有可用的网关"),
    -2018: ("Permission Denied", "没有权限"),
    -2032: ("Passcode is too simple", "密码过于简单, 不能使用连续或重复的数字"),
    -3002: ("The gateway is offline. Please check and try again.", "网关离线"),
    -3003: ("The gateway is busy. Please try again later.", "网关繁忙, 请稍后再试"),
    -3006: ("Invalid Passcode. Passcode should be between 4 - 9 Digits", "密码长度必须为4-9位"),
    -3007: ("The same passcode already exists. Please use another one.", "密码已存在"),
    -3008: (
        "A passcode never used on the lock cannot be changed",
        "A passcode never used on the lock cannot be changed",
    ),
    -3009: ("No space for custom passcodes", "自定义密码已满"),
    -4037: ("No such gateway", "网关不存在"),
    -4043: ("The function is not supported for this lock.", "此锁不支持该操作。"),
}


class SimulatorError(Exception):
    """Base class of every error the simulator raises on purpose."""


class ApiError(SimulatorError):
    """A TTLock API error: answered as HTTP 200 with `{errcode, errmsg, description}`."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        catalogued_errmsg, description = ERROR_TEXTS.get(errcode, ("failed", "失败"))
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else catalogued_errmsg
        self.description = description if errmsg is None else errmsg
        super().__init__(f"TTLock errcode {errcode}: {self.errmsg}")

    def body(self) -> dict[str, object]:
        """The JSON body the real cloud sends for this error."""
        return {"errcode": self.errcode, "errmsg": self.errmsg, "description": self.description}


class ScenarioError(SimulatorError):
    """A scenario file cannot be read or does not describe a consistent world."""


class ControlError(SimulatorError):
    """A `/_sim/` control request names something that does not exist or is malformed."""
