"""The home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """What this node is and what the signed-in user can do on it."""
    return render(request, "core/home.html")
