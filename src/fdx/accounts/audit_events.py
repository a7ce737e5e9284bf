from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, register

ORGANISATION_CREATED = register("accounts.organisation.created", _("Created an organisation"))
ORGANISATION_CHANGED = register("accounts.organisation.changed", _("Changed an organisation"))
USER_CREATED = register("accounts.user.created", _("Created a user"), EventCategory.SECURITY)
USER_CHANGED = register("accounts.user.changed", _("Changed a user's details"), EventCategory.SECURITY)
USER_ROLES_CHANGED = register(
    "accounts.user.roles_changed", _("Changed a user's roles"), EventCategory.SECURITY
)
USER_PASSWORD_CHANGED = register(
    "accounts.user.password_changed", _("Changed a user's password"), EventCategory.SECURITY
)
USER_PASSWORD_RESET = register(
    "accounts.user.password_reset", _("Reset a user's password to a generated one"), EventCategory.SECURITY
)
TOKEN_CREATED = register("accounts.token.created", _("Created an API token"), EventCategory.SECURITY)
TOKEN_REVOKED = register("accounts.token.revoked", _("Revoked an API token"), EventCategory.SECURITY)
SIGNIN_SUCCEEDED = register("accounts.signin.succeeded", _("Signed in"), EventCategory.SECURITY)
SIGNIN_FAILED = register("accounts.signin.failed", _("Failed to sign in"), EventCategory.SECURITY)
SIGNIN_LOCKED_OUT = register(
    "accounts.signin.locked_out", _("Was locked out after repeated failed sign-ins"), EventCategory.SECURITY
)
SIGNOUT = register("accounts.signout.done", _("Signed out"), EventCategory.SECURITY)
OTP_DEVICE_ADDED = register(
    "accounts.otp.device_added", _("Turned on two-factor sign-in"), EventCategory.SECURITY
)
OTP_DEVICE_REMOVED = register(
    "accounts.otp.device_removed", _("Turned off two-factor sign-in"), EventCategory.SECURITY
)
OTP_RECOVERY_CODES_REGENERATED = register(
    "accounts.otp.recovery_codes_regenerated",
    _("Replaced the two-factor recovery codes"),
    EventCategory.SECURITY,
)
SIGNIN_RECOVERY_CODE_USED = register(
    "accounts.signin.recovery_code_used", _("Signed in with a recovery code"), EventCategory.SECURITY
)
SHARING_GROUP_CREATED = register("accounts.sharing_group.created", _("Created a sharing group"))
SHARING_GROUP_CHANGED = register(
    "accounts.sharing_group.changed", _("Changed a sharing group or its members")
)
NODE_KEY_CREATED = register(
    "accounts.node.key_created", _("Created the node's signing key"), EventCategory.SECURITY
)
NODE_KEY_ROTATED = register(
    "accounts.node.key_rotated", _("Replaced the node's signing key"), EventCategory.SECURITY
)
EVENT_DELIVERIES_RETRIED = register(
    "accounts.node.deliveries_retried", _("Retried domain event deliveries that had been given up")
)
