CREATE INDEX ledger_amount_idx ON ledger (amount);
