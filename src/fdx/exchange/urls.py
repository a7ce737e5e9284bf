from django.urls import path

from fdx.exchange.views import peers, sync

app_name = "exchange"
urlpatterns = [
    path("peers/", peers.peers, name="peers"),
    # Not under peers/: a peer may well be called "new".
    path("register-peer/", peers.register_peer, name="register-peer"),
    path("peers/<slug:name>/", peers.peer, name="peer"),
    path("peers/<slug:name>/suspend/", peers.suspend_peer, name="suspend-peer"),
    path("peers/<slug:name>/resume/", peers.resume_peer, name="resume-peer"),
    path("peers/<slug:name>/sync/", sync.sync_now, name="sync-peer"),
    path("peers/<slug:name>/token/", sync.set_token, name="peer-token"),
    path("peers/<slug:name>/bundle/", sync.export_bundle, name="export-bundle"),
    path("import-bundle/", sync.import_bundle, name="import-bundle"),
]
