"""elektron imza for development: a test certificate authority, one certificate per
test citizen, and the check of a signature over a one-time challenge.

Generated on first run with `cryptography` into the instance folder (never
committed): the CA, and for every test citizen a certificate whose subject
serialNumber is the FIN, with its private key encrypted under the citizen's
certificate PIN.

Honestly stated: in real life the private key never leaves the card, and the
card signs when the PIN is given. Here `Card` stands in for the card, on the
server. What `verify` does is the real check a provider makes: the certificate
chains to the CA, is valid now, is for signing, and the signature over the
fresh challenge verifies with its public key.
"""
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_NAME = "e-imza Test CA (development only)"
SIGNATURE = ec.ECDSA(hashes.SHA256())


class WrongPin(Exception):
    pass


class CertificateRefused(Exception):
    pass


def _dir(keys_dir):
    return Path(keys_dir) / "pki"


def _write(path, data, private=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    mode = 0o600 if private else 0o644
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as out:
        out.write(data)
    temporary.replace(path)


def _name(*attributes):
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _certificate(subject, public_key, issuer, issuer_key, is_ca, not_before, not_after):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=not is_ca, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=is_ca,
            crl_sign=is_ca, encipher_only=False, decipher_only=False), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def issue(keys_dir, person, ca_cert, ca_key, not_before=None, not_after=None):
    """A certificate for `person`, its key encrypted under the certificate PIN."""
    now = datetime.now(timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name((NameOID.COMMON_NAME, person.full_name),
                    (NameOID.SERIAL_NUMBER, person.fin), (NameOID.COUNTRY_NAME, "AZ"))
    cert = _certificate(subject, key.public_key(), ca_cert.subject, ca_key, False,
                        not_before or now - timedelta(days=1),
                        not_after or now + timedelta(days=730))
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(person.certificate_pin.encode()))
    _write(_dir(keys_dir) / f"{person.fin}.key", encrypted, private=True)
    _write(_dir(keys_dir) / f"{person.fin}.pem", cert.public_bytes(serialization.Encoding.PEM))
    return cert


def ensure(keys_dir, people):
    """The CA and every test citizen's certificate, made if missing."""
    folder = _dir(keys_dir)
    ca_path, ca_key_path = folder / "ca.pem", folder / "ca.key"
    fresh_ca = not ca_path.exists()
    if fresh_ca:
        now = datetime.now(timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        subject = _name((NameOID.COMMON_NAME, CA_NAME), (NameOID.COUNTRY_NAME, "AZ"))
        ca_cert = _certificate(subject, ca_key.public_key(), subject, ca_key, True,
                               now - timedelta(days=1), now + timedelta(days=3650))
        _write(ca_key_path, ca_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), private=True)
        _write(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM))
    ca_cert = ca_certificate(keys_dir)
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    for person in people:
        if fresh_ca or not (folder / f"{person.fin}.pem").exists():
            issue(keys_dir, person, ca_cert, ca_key)


def ca_certificate(keys_dir):
    return x509.load_pem_x509_certificate((_dir(keys_dir) / "ca.pem").read_bytes())


def certificate_pem(keys_dir, fin):
    path = _dir(keys_dir) / f"{fin}.pem"
    return path.read_bytes() if path.exists() else None


def describe(cert_pem):
    cert = x509.load_pem_x509_certificate(cert_pem)

    def first(oid):
        values = cert.subject.get_attributes_for_oid(oid)
        return values[0].value if values else ""

    return {"name": first(NameOID.COMMON_NAME), "fin": first(NameOID.SERIAL_NUMBER),
            "issuer": cert.issuer.rfc4514_string(),
            "valid_until": cert.not_valid_after_utc.date().isoformat()}


class Card:
    """Stands in for the citizen's card: the key opens only with the right PIN."""

    def __init__(self, keys_dir, fin):
        self._path = _dir(keys_dir) / f"{fin}.key"

    def sign(self, pin, challenge):
        try:
            key = serialization.load_pem_private_key(self._path.read_bytes(),
                                                     (pin or "").encode() or None)
        except (ValueError, TypeError, FileNotFoundError) as error:
            raise WrongPin() from error
        return key.sign(challenge, SIGNATURE)


def verify(keys_dir, cert_pem, challenge, signature, now=None):
    """The FIN of the certificate that signed `challenge`, or CertificateRefused."""
    now = now or datetime.now(timezone.utc)
    ca = ca_certificate(keys_dir)
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature) as error:
        raise CertificateRefused("not issued by the test CA") from error
    for checked in (cert, ca):
        if not checked.not_valid_before_utc <= now <= checked.not_valid_after_utc:
            raise CertificateRefused("outside its validity period")
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    if not usage.digital_signature:
        raise CertificateRefused("not a signing certificate")
    try:
        cert.public_key().verify(signature, challenge, SIGNATURE)
    except InvalidSignature as error:
        raise CertificateRefused("the signature does not match the challenge") from error
    fins = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not fins:
        raise CertificateRefused("no FIN in the certificate")
    return fins[0].value
