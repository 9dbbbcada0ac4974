CREATE TABLE region_typo (id INT);
