"""elektron imza at the development provider: the card signs a fresh challenge, and
the verification is the real one (chain to the test CA, validity, signature)."""
import os
import secrets
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from egov.devidp import pki
from egov.devidp.people import PEOPLE, by_fin


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    pki.ensure(folder, PEOPLE)
    return folder


@pytest.fixture
def challenge():
    return secrets.token_bytes(32)


def sign(keys_dir, fin, challenge, pin=None):
    return pki.Card(keys_dir, fin).sign(pin or by_fin(fin).certificate_pin, challenge)


def test_every_test_citizen_has_a_certificate_naming_their_fin(keys_dir):
    for person in PEOPLE:
        described = pki.describe(pki.certificate_pem(keys_dir, person.fin))
        assert described["fin"] == person.fin and described["name"] == person.full_name
        assert "e-imza Test CA" in described["issuer"]


def test_the_private_key_is_stored_encrypted_under_the_pin(keys_dir):
    stored = (keys_dir / "pki" / "5AYSL01.key").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in stored
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(stored, None)
    assert oct(os.stat(keys_dir / "pki" / "5AYSL01.key").st_mode)[-3:] == "600"


def test_a_signature_over_the_challenge_names_the_signer(keys_dir, challenge):
    signature = sign(keys_dir, "6RAUF02", challenge)
    assert pki.verify(keys_dir, pki.certificate_pem(keys_dir, "6RAUF02"), challenge,
                      signature) == "6RAUF02"


def test_the_card_does_not_open_with_a_wrong_pin(keys_dir, challenge):
    with pytest.raises(pki.WrongPin):
        sign(keys_dir, "6RAUF02", challenge, pin="000000")


def test_a_signature_over_another_challenge_is_refused(keys_dir, challenge):
    signature = sign(keys_dir, "6RAUF02", secrets.token_bytes(32))
    with pytest.raises(pki.CertificateRefused):
        pki.verify(keys_dir, pki.certificate_pem(keys_dir, "6RAUF02"), challenge, signature)


def test_a_signature_checked_against_someone_elses_certificate_is_refused(keys_dir, challenge):
    signature = sign(keys_dir, "6RAUF02", challenge)
    with pytest.raises(pki.CertificateRefused):
        pki.verify(keys_dir, pki.certificate_pem(keys_dir, "5AYSL01"), challenge, signature)


def test_a_certificate_from_another_ca_is_refused(keys_dir, tmp_path, challenge):
    pki.ensure(tmp_path, PEOPLE)  # a second, unrelated test CA
    signature = sign(tmp_path, "5AYSL01", challenge)
    with pytest.raises(pki.CertificateRefused, match="CA"):
        pki.verify(keys_dir, pki.certificate_pem(tmp_path, "5AYSL01"), challenge, signature)


def test_an_expired_certificate_is_refused(keys_dir, tmp_path, challenge):
    ca_key = serialization.load_pem_private_key((keys_dir / "pki" / "ca.key").read_bytes(), None)
    past = datetime.now(timezone.utc) - timedelta(days=30)
    cert = pki.issue(tmp_path, by_fin("7NGAR03"), pki.ca_certificate(keys_dir), ca_key,
                     not_before=past - timedelta(days=365), not_after=past)
    signature = sign(tmp_path, "7NGAR03", challenge)
    with pytest.raises(pki.CertificateRefused, match="validity"):
        pki.verify(keys_dir, cert.public_bytes(serialization.Encoding.PEM), challenge, signature)
    assert isinstance(cert, x509.Certificate)
