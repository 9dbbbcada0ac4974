INSERT INTO ledger (amount) VALUES (0);
