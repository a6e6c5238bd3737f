"""A real SMTP server for berth's notification tests: Debian's aiosmtpd on 127.0.0.1.

usage: smtp_receiver.py PORT OUTDIR CERT KEY USER PASSWORD starttls|plain

With starttls, STARTTLS is required before MAIL and before AUTH; in either mode a login (AUTH LOGIN/PLAIN,
checked against USER/PASSWORD) is required before MAIL. Each message is saved to OUTDIR/N.json (written to a temporary name, then renamed, so a
reader never sees half a file) with whether the session was encrypted, who logged in, and the subject and body decoded from MIME. Prints "ready" once
it accepts connections; stopped by its pid.
"""
import email
import email.policy
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

port, outdir, cert, key, user, password, mode = sys.argv[1:8]
starttls = mode == "starttls"


class Saver:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Saver.count += 1
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        record = {
            "tls": session.ssl is not None,
            "login": login,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": message["subject"],
            "body": message.get_content(),
        }
        path = os.path.join(outdir, f"{Saver.count}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == user and auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Smtp(SMTP):
    async def smtp_AUTH(self, arg):
        # RFC 4954 section 4: mechanism names are case-insensitive. .NET's SmtpClient sends "AUTH login";
        # aiosmtpd 1.4 matches them case-sensitively and would answer 504, after which SmtpClient goes on
        # without logging in.
        mechanism, _, rest = arg.partition(" ")
        return await super().smtp_AUTH(f"{mechanism.upper()} {rest}".strip())


class SmtpController(Controller):
    def factory(self):
        return Smtp(self.handler, **self.SMTP_kwargs)


context = None
if starttls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

controller = SmtpController(Saver(), hostname="127.0.0.1", port=int(port), tls_context=context, require_starttls=starttls,
                            authenticator=authenticator, auth_required=True, auth_require_tls=starttls)
controller.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
