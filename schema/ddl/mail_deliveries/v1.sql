-- mail_deliveries: one row per notification mail by Message-ID (workers/delivery.py): claimed by
-- the worker about to send it, marked sent once the mail server accepted it. A send_mail job
-- delivered twice (the follower or a worker died after enqueueing or sending it) finds its
-- messages here and sends none a second time; a claim older than the lease is taken over.
CREATE TABLE IF NOT EXISTS mail_deliveries (
    message_id  text        PRIMARY KEY,
    claimed_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
