"""The home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from fdx.accounts.choices import Role


@login_required
def home(request):
    """What this node is and what the signed-in user can do on it."""
    user = request.user
    role_labels = [label for value, label in Role.choices if value in user.roles]
    return render(request, "core/home.html", {"role_labels": role_labels})
