"""The NX-API side's TLS identity: a self-signed certificate made at start.

A Nexus switch out of the box serves NX-API over HTTPS with a self-signed
certificate; clients pin its SHA-256 fingerprint (or trust a CA that signed
a replacement).  The fingerprint is printed as the SSH host key's is:
``SHA256:<base64 without padding>`` of the DER certificate.
"""

import base64
import datetime
import hashlib
import ipaddress
import os
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def fingerprint(der):
    return 'SHA256:' + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip('=')


class Identity:
    """A key and a self-signed certificate for ``name``, valid for ``host``."""

    def __init__(self, name, host):
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName(_names(name, host)), critical=False)
            .sign(self.key, hashes.SHA256()))
        self.der = self.certificate.public_bytes(serialization.Encoding.DER)
        self.fingerprint = fingerprint(self.der)

    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def server_context(self):
        """An ssl context serving this identity (ssl loads chains from files only)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        key = self.key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        descriptor, path = tempfile.mkstemp(suffix='.pem')
        try:
            with os.fdopen(descriptor, 'wb') as chain:
                chain.write(key + self.pem())
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        return context


def _names(name, host):
    names = [x509.DNSName(name), x509.DNSName('localhost')]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    return names
