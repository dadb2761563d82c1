"""Webhook notifications from the sandbox: payloads in both Intuit formats, signing, and delivery with retries."""
from .delivery import INTUIT_RETRY_SCHEDULE, DeliveryAttempt, WebhookDelivery, WebhookDispatcher, WebhookSettings
from .payloads import Notice, WebhookFormat, cloudevents_body, legacy_body
from .signing import SIGNATURE_HEADER, sign

__all__ = ['INTUIT_RETRY_SCHEDULE', 'DeliveryAttempt', 'WebhookDelivery', 'WebhookDispatcher', 'WebhookSettings',
           'Notice', 'WebhookFormat', 'cloudevents_body', 'legacy_body', 'SIGNATURE_HEADER', 'sign']
