from django.urls import path

from fdx.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("<int:sequence>/", views.event, name="event"),
    path("verify/", views.verify, name="verify"),
]
