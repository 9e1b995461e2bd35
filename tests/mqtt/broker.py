"""A private mosquitto for tests: our own configuration on a free loopback port, a password file
and an ACL, no persistence (a restart forgets retained messages, as a broker that lost its disk).

Never the packaged /etc/mosquitto/mosquitto.conf. Users: `bridge` (the bridge's account: its
base topic and the discovery prefix) and `hass` (plays Home Assistant: reads everything, writes
the discovery prefix's status and the command topics only).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from service.conftest import free_port

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
)
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd")
READY_TIMEOUT_S = 10.0
BRIDGE_USER, BRIDGE_PASSWORD = "bridge", "bridge-password-0123"
HASS_USER, HASS_PASSWORD = "hass", "hass-password-0123"
BASE, PREFIX = "ttlock-bridge", "homeassistant"

ACL = f"""\
user {BRIDGE_USER}
topic readwrite {BASE}/#
topic readwrite {PREFIX}/#

user {HASS_USER}
topic read {BASE}/#
topic write {BASE}/door/+/set
topic readwrite {PREFIX}/#
"""


@dataclass
class Mosquitto:
    """A mosquitto on 127.0.0.1:`port`, which a test may stop and start again (same port)."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    tls: bool = False
    """Listen with TLS only, on a certificate for 127.0.0.1 signed by `ca_file`."""

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def log(self) -> Path:
        return self.directory / "mosquitto.log"

    def write_files(self) -> Path:
        passwords = self.directory / "passwords"
        assert MOSQUITTO_PASSWD is not None
        passwords.write_text("", encoding="utf-8")
        for user, password in ((BRIDGE_USER, BRIDGE_PASSWORD), (HASS_USER, HASS_PASSWORD)):
            subprocess.run(  # noqa: S603
                [MOSQUITTO_PASSWD, "-b", str(passwords), user, password], check=True
            )
        passwords.chmod(0o600)
        acl = self.directory / "acl"
        acl.write_text(ACL, encoding="utf-8")
        acl.chmod(0o600)
        conf = self.directory / "mosquitto.conf"
        tls = ""
        if self.tls:
            make_certificates(self.directory)
            tls = (
                f"cafile {self.ca_file}\ncertfile {self.directory / 'server.pem'}\n"
                f"keyfile {self.directory / 'server.key'}\n"
            )
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n{tls}"
            "allow_anonymous false\n"
            f"password_file {passwords}\n"
            f"acl_file {acl}\n"
            "persistence false\n"
            # as root, mosquitto would switch to the `mosquitto` user, who cannot read the
            # test's private directory: stay who we are
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\nlog_type notice\n",
            encoding="utf-8",
        )
        return conf

    def start(self) -> None:
        assert MOSQUITTO is not None, "mosquitto is not installed (make test installs it)"
        conf = self.directory / "mosquitto.conf"
        if not conf.exists():
            conf = self.write_files()
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [MOSQUITTO, "-c", str(conf)], stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start listening") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def make_certificates(directory: Path) -> None:
    """A throw-away CA (`ca.pem`) and a server certificate for 127.0.0.1 it signed."""

    def openssl(*arguments: str) -> None:
        subprocess.run(  # noqa: S603
            ["openssl", *arguments],  # noqa: S607 - the system's openssl
            check=True,
            capture_output=True,
            cwd=directory,
        )

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext",
            "-out", "server.pem")  # fmt: skip
    for key in ("ca.key", "server.key"):
        (directory / key).chmod(0o600)


@contextmanager
def running_mosquitto(directory: Path, *, tls: bool = False) -> Iterator[Mosquitto]:
    directory.mkdir(parents=True, exist_ok=True)
    broker = Mosquitto(directory, tls=tls)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
