package postgres

// helperFunctions are created (or replaced) in the connection's schema at
// Open. They give PostgreSQL the few SQLite behaviours the filter language
// relies on and that have no single built-in equivalent: text that may or
// may not be JSON (SQLite's json_valid + json_extract), a value made a
// JSON array (spec §3.9), numeric conversion of text under SQLite's rules
// (a malformed number is NULL, never an error), and strftime with its
// formats and modifiers. Each is IMMUTABLE or STABLE so the planner may
// inline or cache it.
var helperFunctions = []string{
	// basalt_json parses v as JSON, or treats it as a JSON string when it
	// is not valid JSON (as the SQLite dialect's JSONExtract does). The
	// cast is tried only when v can start a JSON document, so plain text
	// takes no exception (a subtransaction each).
	`CREATE OR REPLACE FUNCTION basalt_json(v text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
BEGIN
  IF v IS NULL THEN RETURN NULL; END IF;
  IF v !~ '^\s*([\[{"0-9-]|true|false|null)' THEN RETURN to_jsonb(v); END IF;
  BEGIN
    RETURN v::jsonb;
  EXCEPTION WHEN others THEN
    RETURN to_jsonb(v);
  END;
END $f$`,

	// basalt_json_array is v as a JSON array: the array itself, [] for
	// NULL or '', else a one-item array of the text.
	`CREATE OR REPLACE FUNCTION basalt_json_array(v text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
DECLARE j jsonb;
BEGIN
  IF v IS NULL OR v = '' THEN RETURN '[]'::jsonb; END IF;
  IF v ~ '^\s*\[' THEN
    BEGIN
      j := v::jsonb;
    EXCEPTION WHEN others THEN
      j := NULL;
    END;
    IF j IS NOT NULL AND jsonb_typeof(j) = 'array' THEN RETURN j; END IF;
  END IF;
  RETURN jsonb_build_array(v);
END $f$`,

	// basalt_json_each lists the items of basalt_json_array(v) as text in a
	// column named "value" (SQLite's json_each).
	`CREATE OR REPLACE FUNCTION basalt_json_each(v text) RETURNS TABLE(value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT e FROM jsonb_array_elements_text(basalt_json_array(v)) AS e
$f$`,

	// basalt_num is v as a number when it is a well-formed one, else NULL.
	`CREATE OR REPLACE FUNCTION basalt_num(v text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN v ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$' THEN v::double precision END
$f$`,

	// basalt_strftime is SQLite's strftime(fmt, val, mods...) for the
	// formats %d %f %H %j %J %m %M %s %S %w %W %Y %% and the modifiers
	// "start of day|month|year", "±N unit", "weekday N", "unixepoch",
	// "utc" and "localtime" (both no-ops: times are UTC). Anything else,
	// or a value that is no time, gives NULL, as in SQLite.
	`CREATE OR REPLACE FUNCTION basalt_strftime(fmt text, val text, mods text[]) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $f$
DECLARE
  ts timestamp;
  m text;
  unix boolean := false;
  res text := '';
  i int := 1;
  c text;
  wd int;
BEGIN
  IF fmt IS NULL OR val IS NULL THEN RETURN NULL; END IF;
  FOREACH m IN ARRAY coalesce(mods, '{}'::text[]) LOOP
    IF lower(trim(m)) = 'unixepoch' THEN unix := true; END IF;
  END LOOP;
  BEGIN
    IF lower(trim(val)) = 'now' THEN
      ts := now() AT TIME ZONE 'UTC';
    ELSIF val ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$' THEN
      IF unix THEN
        ts := to_timestamp(val::double precision) AT TIME ZONE 'UTC';
      ELSE
        ts := to_timestamp((val::double precision - 2440587.5) * 86400) AT TIME ZONE 'UTC';
      END IF;
    ELSIF val ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN
      ts := val::timestamptz AT TIME ZONE 'UTC';
    ELSE
      RETURN NULL;
    END IF;
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
  FOREACH m IN ARRAY coalesce(mods, '{}'::text[]) LOOP
    m := lower(trim(m));
    IF m IN ('unixepoch', 'utc', 'localtime') THEN
      CONTINUE;
    ELSIF m = 'start of day' THEN ts := date_trunc('day', ts);
    ELSIF m = 'start of month' THEN ts := date_trunc('month', ts);
    ELSIF m = 'start of year' THEN ts := date_trunc('year', ts);
    ELSIF m ~ '^weekday [0-6]$' THEN
      wd := substr(m, 9)::int;
      ts := ts + make_interval(days => ((wd - extract(dow FROM ts)::int + 7) % 7));
    ELSIF m ~ '^[-+]?[0-9]+(\.[0-9]+)? *(second|minute|hour|day|month|year)s?$' THEN
      BEGIN
        ts := ts + m::interval;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END;
    ELSE
      RETURN NULL;
    END IF;
  END LOOP;
  WHILE i <= length(fmt) LOOP
    c := substr(fmt, i, 1);
    IF c <> '%' THEN
      res := res || c;
      i := i + 1;
      CONTINUE;
    END IF;
    c := substr(fmt, i + 1, 1);
    i := i + 2;
    CASE c
      WHEN 'd' THEN res := res || to_char(ts, 'DD');
      WHEN 'f' THEN res := res || to_char(ts, 'SS.MS');
      WHEN 'H' THEN res := res || to_char(ts, 'HH24');
      WHEN 'j' THEN res := res || to_char(ts, 'DDD');
      WHEN 'J' THEN res := res || (extract(epoch FROM ts) / 86400 + 2440587.5)::text;
      WHEN 'm' THEN res := res || to_char(ts, 'MM');
      WHEN 'M' THEN res := res || to_char(ts, 'MI');
      WHEN 's' THEN res := res || floor(extract(epoch FROM ts))::bigint::text;
      WHEN 'S' THEN res := res || to_char(ts, 'SS');
      WHEN 'w' THEN res := res || extract(dow FROM ts)::int::text;
      WHEN 'W' THEN res := res || lpad(((extract(doy FROM ts)::int - 1 + 7 - ((extract(dow FROM ts)::int + 6) % 7)) / 7)::text, 2, '0');
      WHEN 'Y' THEN res := res || to_char(ts, 'YYYY');
      WHEN '%' THEN res := res || '%';
      ELSE RETURN NULL;
    END CASE;
  END LOOP;
  RETURN res;
END $f$`,
}
