from django.urls import path

from fdx.accounts.views import account, node, organisations, people, signin

app_name = "accounts"
urlpatterns = [
    path("signin/", signin.signin, name="signin"),
    path("signin/code/", signin.signin_otp, name="signin-otp"),
    path("signout/", signin.signout, name="signout"),
    path("me/", account.account, name="account"),
    path("me/password/", account.change_password, name="change-password"),
    path("me/password/new/", account.password_change_required, name="password-change-required"),
    path("me/tokens/", account.create_token, name="create-token"),
    path("tokens/<uuid:token_id>/revoke/", account.revoke_token, name="revoke-token"),
    path("me/two-factor/", account.two_factor, name="two-factor"),
    path("me/two-factor/off/", account.two_factor_off, name="two-factor-off"),
    path(
        "me/two-factor/recovery-codes/",
        account.regenerate_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("node/", node.node_page, name="node"),
    path("node/deliveries/retry/", node.retry_deliveries, name="node-retry-deliveries"),
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/new/", organisations.organisation_create, name="organisation-create"),
    path("organisations/<slug:code>/edit/", organisations.organisation_edit, name="organisation-edit"),
    path("sharing-groups/", organisations.sharing_groups, name="sharing-groups"),
    path("sharing-groups/new/", organisations.sharing_group_create, name="sharing-group-create"),
    path("sharing-groups/<slug:code>/edit/", organisations.sharing_group_edit, name="sharing-group-edit"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<str:username>/", people.person, name="person"),
    path("people/<str:username>/edit/", people.person_edit, name="person-edit"),
    path("people/<str:username>/roles/", people.person_roles, name="person-roles"),
    path("people/<str:username>/password/", people.person_reset_password, name="person-reset-password"),
    path("people/<str:username>/two-factor/", people.person_reset_two_factor, name="person-reset-two-factor"),
]
