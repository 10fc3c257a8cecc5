import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers given their tokens per statement while the column is filled: small enough for a large table. */
const BATCH = 5000;

/**
 * Customer search reads one stored column of tokens, `search_tokens`, instead of an index on an
 * expression: checking a customer no longer computes its tokens again from the search text (~10 µs,
 * now ~1 µs), and a search is one condition on one table instead of an OR with its contacts (planned in
 * a fraction of the time).
 *
 * The tokens are the name's (the search text after its tab: customer-keys.ts) and those of the
 * customer's live contacts, marked so that they never meet the name's: `n:` a whole name of one or two
 * characters, `t:` each three characters of a longer one, `m:` the mobile, `r:` its last four digits,
 * `p:` the phone, `e:` the e-mail (customer-search.ts looks them up). A name of two Chinese characters
 * (U+4E00–U+9FFF) is unmarked, a pair like the name's: a search for 周杰 looks up one token, not two. The database keeps them, whoever
 * writes: a customer's when its search text is written, its contacts' after each statement that adds,
 * changes, moves or removes contacts, writing only the customers whose tokens changed. An import
 * inserts a customer with its tokens, its contact's included, and skips that check.
 *
 * The contact indexes only search read (the name's b-tree and trigrams, the mobile's last digits) go.
 */
export class StoreCustomerSearchTokens1796100000000 implements MigrationInterface {
  name = 'StoreCustomerSearchTokens1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION customer_name_tokens(search_text text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN array_remove(string_to_array(split_part(search_text, E'\\t', 2), ' '), '')`);
    // A contact's tokens (PL/pgSQL: several times quicker per contact than SQL with a subquery). The
    // name is compared as written, case folded, as search always did.
    await queryRunner.query(`
      CREATE FUNCTION contact_search_tokens(name text, mobile text, phone text, email text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE
        n text := lower(btrim(name));
        l integer := char_length(n);
        piece text;
        tokens text[] := '{}';
      BEGIN
        IF l = 2 AND ascii(n) BETWEEN 19968 AND 40959 AND ascii(substr(n, 2)) BETWEEN 19968 AND 40959 THEN
          tokens := tokens || n;
        ELSIF l BETWEEN 1 AND 2 THEN
          tokens := tokens || ('n:' || n);
        ELSE
          FOR i IN 1 .. least(l - 2, 60) LOOP
            piece := substr(n, i, 3);
            IF strpos(piece, ' ') = 0 THEN tokens := tokens || ('t:' || piece); END IF;
          END LOOP;
        END IF;
        IF mobile <> '' THEN
          tokens := tokens || ('m:' || left(mobile, 60));
          IF char_length(mobile) >= 4 THEN tokens := tokens || ('r:' || right(mobile, 4)); END IF;
        END IF;
        IF phone <> '' THEN tokens := tokens || ('p:' || left(phone, 60)); END IF;
        IF email <> '' THEN tokens := tokens || ('e:' || left(lower(email), 250)); END IF;
        RETURN tokens;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION customer_contact_tokens(customer_id integer) RETURNS text[]
        LANGUAGE sql STABLE PARALLEL SAFE
        BEGIN ATOMIC
          SELECT ARRAY(
            SELECT t FROM contact ct, unnest(contact_search_tokens(ct.name, ct.mobile, ct.phone, ct.email)) AS t
             WHERE ct.customer_id = customer_contact_tokens.customer_id AND ct.deleted_at IS NULL);
        END`);
    await queryRunner.query(
      `ALTER TABLE "customer" ADD "search_tokens" tsvector NOT NULL DEFAULT ''::tsvector`,
    );
    // A customer written with a new search text, or inserted without tokens, gets them.
    await queryRunner.query(`
      CREATE FUNCTION customer_keep_search_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_tokens := array_to_tsvector(customer_name_tokens(NEW.search_text) ||
          CASE WHEN TG_OP = 'INSERT' THEN '{}' ELSE customer_contact_tokens(NEW.id) END);
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER customer_search_tokens_on_insert BEFORE INSERT ON "customer"
        FOR EACH ROW WHEN (NEW.search_tokens = ''::tsvector) EXECUTE FUNCTION customer_keep_search_tokens()`);
    await queryRunner.query(`
      CREATE TRIGGER customer_search_tokens_on_update BEFORE UPDATE OF search_text ON "customer"
        FOR EACH ROW WHEN (NEW.search_text IS DISTINCT FROM OLD.search_text) EXECUTE FUNCTION customer_keep_search_tokens()`);
    // After each statement changing contacts, their customers' tokens again, written where they differ.
    // New contacts whose tokens their customer holds already write nothing. A statement that inserts
    // customers with their contacts' tokens and those contacts (an import) says so by setting
    // kehu.search_tokens_given, which the check then takes back instead of computing them again.
    await queryRunner.query(`
      CREATE FUNCTION contact_keep_search_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE ids integer[];
      BEGIN
        IF TG_OP = 'INSERT' AND current_setting('kehu.search_tokens_given', true) = 'on' THEN
          PERFORM set_config('kehu.search_tokens_given', 'off', true);
          RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(DISTINCT n.customer_id) INTO ids FROM new_contacts n JOIN customer c ON c.id = n.customer_id
           WHERE n.deleted_at IS NULL
             AND NOT tsvector_to_array(c.search_tokens) @> contact_search_tokens(n.name, n.mobile, n.phone, n.email);
        ELSIF TG_OP = 'DELETE' THEN
          SELECT array_agg(DISTINCT customer_id) INTO ids FROM old_contacts;
        ELSE
          SELECT array_agg(DISTINCT customer_id) INTO ids
            FROM (SELECT customer_id FROM new_contacts UNION SELECT customer_id FROM old_contacts) s;
        END IF;
        IF ids IS NOT NULL THEN
          UPDATE customer c SET search_tokens = k.tokens
            FROM (SELECT id, array_to_tsvector(customer_name_tokens(search_text) || customer_contact_tokens(id)) AS tokens
                    FROM customer WHERE id = ANY(ids)) k
           WHERE c.id = k.id AND c.search_tokens <> k.tokens;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER contact_search_tokens_on_insert AFTER INSERT ON "contact" REFERENCING NEW TABLE AS new_contacts
        FOR EACH STATEMENT EXECUTE FUNCTION contact_keep_search_tokens()`);
    await queryRunner.query(`
      CREATE TRIGGER contact_search_tokens_on_update AFTER UPDATE ON "contact"
        REFERENCING OLD TABLE AS old_contacts NEW TABLE AS new_contacts
        FOR EACH STATEMENT EXECUTE FUNCTION contact_keep_search_tokens()`);
    await queryRunner.query(`
      CREATE TRIGGER contact_search_tokens_on_delete AFTER DELETE ON "contact" REFERENCING OLD TABLE AS old_contacts
        FOR EACH STATEMENT EXECUTE FUNCTION contact_keep_search_tokens()`);
    // Every customer's tokens, a batch of ids per statement, with no search index to keep meanwhile:
    // it is built once they are in.
    await queryRunner.query(`DROP INDEX "public"."ix_customer_search"`);
    const [{ max }] = await queryRunner.query(`SELECT coalesce(max(id), 0) AS max FROM customer`);
    for (let from = 0; from < Number(max); from += BATCH)
      await queryRunner.query(
        `UPDATE customer SET search_tokens = array_to_tsvector(customer_name_tokens(search_text) || customer_contact_tokens(id))
          WHERE id > $1 AND id <= $2`,
        [from, from + BATCH],
      );
    await queryRunner.query(`CREATE INDEX "ix_customer_search" ON "customer" USING gin ("search_tokens")`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_name_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_mobile_tail"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_contact_mobile_tail" ON "contact" (reverse("mobile") text_pattern_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contact_name_trgm" ON "contact" USING gin ("name" gin_trgm_ops)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contact_name" ON "contact" ("name")`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_search"`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_search" ON "customer" USING gin ((array_to_tsvector(array_remove(string_to_array(split_part(search_text, E'\\t', 2), ' '), ''))))`,
    );
    await queryRunner.query(`DROP TRIGGER contact_search_tokens_on_delete ON "contact"`);
    await queryRunner.query(`DROP TRIGGER contact_search_tokens_on_update ON "contact"`);
    await queryRunner.query(`DROP TRIGGER contact_search_tokens_on_insert ON "contact"`);
    await queryRunner.query(`DROP FUNCTION contact_keep_search_tokens()`);
    await queryRunner.query(`DROP TRIGGER customer_search_tokens_on_update ON "customer"`);
    await queryRunner.query(`DROP TRIGGER customer_search_tokens_on_insert ON "customer"`);
    await queryRunner.query(`DROP FUNCTION customer_keep_search_tokens()`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "search_tokens"`);
    await queryRunner.query(`DROP FUNCTION customer_contact_tokens(integer)`);
    await queryRunner.query(`DROP FUNCTION contact_search_tokens(text, text, text, text)`);
    await queryRunner.query(`DROP FUNCTION customer_name_tokens(text)`);
  }
}
