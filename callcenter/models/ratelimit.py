"""RateCounter: see callcenter.services.ratelimit."""

from django.db import models


class RateCounter(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    window_start = models.FloatField()  # epoch seconds
    count = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "callcenter"

    def __str__(self) -> str:
        return f"{self.name}: {self.count} since {self.window_start}"
