"""Contacts, lists, the DNC list, erased numbers and import jobs."""

from contacts.models.contacts import Contact, ContactList, DNCEntry, ErasedNumber, ImportJob

__all__ = ["Contact", "ContactList", "DNCEntry", "ErasedNumber", "ImportJob"]
