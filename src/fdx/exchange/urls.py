from django.urls import path

from fdx.exchange.views import peers, publications, sync

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
    path("peers/<slug:name>/catalogue/", publications.catalogue, name="catalogue"),
    path("peers/<slug:name>/catalogue/<uuid:publication_id>/follow/", publications.follow, name="follow"),
    path(
        "peers/<slug:name>/catalogue/<uuid:publication_id>/unfollow/", publications.unfollow, name="unfollow"
    ),
    path("publications/", publications.publications, name="publications"),
    # Not under publications/: a publication may well be called "new".
    path("publish/", publications.publish, name="publish"),
    path("publications/<slug:code>/", publications.publication, name="publication"),
    path("publications/<slug:code>/subscribers/", publications.add_subscriber, name="add-subscriber"),
    path(
        "publications/<slug:code>/subscribers/<slug:name>/remove/",
        publications.remove_subscriber,
        name="remove-subscriber",
    ),
]
