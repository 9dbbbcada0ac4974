CREATE TABLE IF NOT EXISTS callback_ran (id INT);
