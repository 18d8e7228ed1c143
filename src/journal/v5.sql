-- A pass reads only what can still change: the indexes its windows use.
CREATE INDEX notice_seen ON notice (seen_at);
CREATE INDEX notice_login_at ON notice (login_at);
CREATE INDEX notice_received ON notice (received_at);
CREATE INDEX notice_first_ameli ON notice (account, service, kind, login_at);
CREATE INDEX own_login_time ON own_login (at);
CREATE INDEX own_login_recorded ON own_login (recorded_at);
CREATE INDEX finding_notice ON finding (notice_id);
CREATE INDEX finding_kind_at ON finding (kind, at);
