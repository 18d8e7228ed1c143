-- Whom a notice greets (FranceConnect since February 2025: "Bonjour Jeanne
-- Dupont"): in a mailbox shared by two people, whose identity was used.
ALTER TABLE notice ADD COLUMN addressee TEXT;
