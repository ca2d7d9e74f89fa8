"""community queues no Celery work of its own.

Its consequences travel through the outbox: a new message publishes
community.events.MESSAGE_POSTED in the message's transaction, and the consumer task that
turns it into a notification lives in notifications (the app above, which may import
this one). This module exists so the app keeps the shape of the others (STYLE §2.1).
"""
