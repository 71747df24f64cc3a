"""Lease: see callcenter.services.leases."""

from django.db import models


class Lease(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=36)
    until = models.DateTimeField()

    class Meta:
        app_label = "callcenter"

    def __str__(self) -> str:
        return f"{self.name} until {self.until:%H:%M:%S}"
