"""The development provider's own tables (prefixed devidp_), apart from the portal's."""
import time

from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from flask import current_app
from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField

from ..db import database
from ..models import BaseModel
from .people import by_fin


class AuthRequest(BaseModel):
    """A validated authorization request, while the citizen proves who they are."""

    id = CharField(max_length=64, primary_key=True)
    means = CharField(max_length=16)
    params = TextField()  # the request's parameters (JSON), replayed to Authlib at the end
    created_at = DateTimeField()
    fin = CharField(max_length=7, null=True)  # who the means says the citizen is, once known
    # ASAN İmza: the code shown on both screens and the phone's answer.
    asan_code = CharField(max_length=4, null=True)
    asan_started_at = DateTimeField(null=True)
    asan_status = CharField(max_length=16, null=True)  # waiting, confirmed, refused
    # elektron imza: the one-time challenge the card must sign.
    challenge = CharField(max_length=64, null=True)
    # e-gov identity: the one-time code sent by "SMS".
    otp = CharField(max_length=6, null=True)
    otp_sent_at = DateTimeField(null=True)
    # Tries at the secret: the e-gov code's, or ASAN İmza's PIN1 (lockout.take_secret_try).
    otp_attempts = IntegerField(default=0)

    class Meta:
        table_name = "devidp_auth_request"


class CardCounter(BaseModel):
    """The PIN retry counter a smart card keeps in its chip, one per test certificate."""

    fin = CharField(max_length=7, primary_key=True)
    tries_used = IntegerField(default=0)  # reset by a right PIN; at the limit the card blocks

    class Meta:
        table_name = "devidp_card_counter"


class CodesSent(BaseModel):
    """How many e-gov one-time codes an account has been sent since its window started."""

    account = CharField(max_length=7, primary_key=True)  # the person's FIN
    window_started_at = DateTimeField()
    sent = IntegerField(default=0)

    class Meta:
        table_name = "devidp_codes_sent"


class AuthCode(BaseModel, AuthorizationCodeMixin):
    code = CharField(max_length=128, primary_key=True)
    means = CharField(max_length=16)
    client_id = CharField(max_length=64)
    redirect_uri = TextField()
    scope = TextField()
    nonce = CharField(max_length=255, null=True)
    code_challenge = CharField(max_length=128, null=True)
    code_challenge_method = CharField(max_length=8, null=True)
    fin = CharField(max_length=7)
    amr = CharField(max_length=32)
    auth_time = IntegerField()

    class Meta:
        table_name = "devidp_auth_code"

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return self.amr.split()

    def is_expired(self):
        return time.time() - self.auth_time > 120


class AccessToken(BaseModel, TokenMixin):
    access_token = CharField(max_length=255, primary_key=True)
    means = CharField(max_length=16)
    client_id = CharField(max_length=64)
    fin = CharField(max_length=7)
    scope = TextField()
    issued_at = IntegerField()
    expires_in = IntegerField()
    revoked = BooleanField(default=False)

    class Meta:
        table_name = "devidp_access_token"

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return by_fin(self.fin)

    def get_client(self):
        # The providers are built at start (egov.devidp.server.init_app) and kept on the app.
        return current_app.extensions["devidp"][self.means].client


DEVIDP_MODELS = [AuthRequest, CardCounter, CodesSent, AuthCode, AccessToken]


def create_tables():
    with database.connection_context():
        database.create_tables(DEVIDP_MODELS, safe=True)
