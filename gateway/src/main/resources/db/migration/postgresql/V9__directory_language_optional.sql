-- A person's language may be left unset (NULL): console pages then follow the browser's Accept-Language and
-- notices come in Japanese and English. Existing rows keep the language they have.
ALTER TABLE directory_person ALTER COLUMN language DROP NOT NULL;
