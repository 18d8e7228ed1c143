-- vigie journal, schema 6: own login *attempts* (a visit to the login form
-- in the browser history) are own_login rows with attempt = 1. They explain
-- a security-code mail (someone at the login form now), never a login
-- notice: `own_logins` reads only attempt = 0.
ALTER TABLE own_login ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
