DROP INDEX ledger_amount_idx;
