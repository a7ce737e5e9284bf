from django.utils.translation import gettext_lazy as _

from fdx.audit.events import EventCategory, describe, register

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

# The sentences the audit log reads (placeholders: fdx.audit.sentences).
describe("accounts.organisation.created", _("%(actor)s created organisation %(object)s"))
describe("accounts.organisation.changed", _("%(actor)s changed organisation %(object)s"))
describe("accounts.user.created", _("%(actor)s created user %(object)s"))
describe("accounts.user.changed", _("%(actor)s changed the details of user %(object)s"))
describe("accounts.user.roles_changed", _("%(actor)s changed the roles of user %(object)s"))
describe("accounts.user.password_changed", _("%(actor)s changed the password of user %(object)s"))
describe(
    "accounts.user.password_reset", _("%(actor)s reset the password of user %(object)s to a generated one")
)
describe("accounts.token.created", _("%(actor)s created API token %(object)s"))
describe("accounts.token.revoked", _("%(actor)s revoked API token %(object)s"))
describe("accounts.signin.succeeded", _("%(actor)s signed in"))
describe("accounts.signin.failed", _("A sign-in as %(object)s failed"))
describe("accounts.signin.locked_out", _("%(object)s was locked out after repeated failed sign-ins"))
describe("accounts.signout.done", _("%(actor)s signed out"))
describe("accounts.otp.device_added", _("%(actor)s turned on two-factor sign-in for %(object)s"))
describe("accounts.otp.device_removed", _("%(actor)s turned off two-factor sign-in for %(object)s"))
describe("accounts.sharing_group.created", _("%(actor)s created sharing group %(object)s"))
describe("accounts.sharing_group.changed", _("%(actor)s changed sharing group %(object)s or its members"))
describe("accounts.node.key_created", _("%(actor)s created the node's signing key %(object)s"))
describe("accounts.node.key_rotated", _("%(actor)s replaced the node's signing key with %(object)s"))
describe(
    "accounts.node.deliveries_retried", _("%(actor)s retried domain event deliveries that had been given up")
)
