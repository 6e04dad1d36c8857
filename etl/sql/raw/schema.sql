-- One schema per layer: raw (as delivered) -> staging (rename and cast) -> marts (indicators);
-- meta holds the load log and the validation results.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE SEQUENCE IF NOT EXISTS meta.load_id_seq START 1;

CREATE TABLE IF NOT EXISTS meta.loads (
    load_id       INTEGER PRIMARY KEY,
    bestand       VARCHAR NOT NULL,   -- file name as delivered
    pad           VARCHAR,            -- where it was loaded from
    kopie         VARCHAR,            -- unchanged copy under data/raw/
    sha256        VARCHAR NOT NULL,
    bronsoort     VARCHAR,            -- source kind: politie | bevolking | partner | leefbaarometer | gebieden
    variant       VARCHAR,            -- shape of the file, e.g. cbs-kwb, lang, geojson
    partner       VARCHAR,            -- who delivered it
    rijen         INTEGER,            -- data rows in the file
    rijen_geladen INTEGER,            -- rows stored in raw (after a --gemeente restriction)
    gestart       TIMESTAMP,
    klaar         TIMESTAMP,
    status        VARCHAR NOT NULL,   -- geladen | afgewezen
    gebruiker     VARCHAR,
    validatie     JSON,               -- summary of the Great Expectations run
    opmerking     VARCHAR
);

CREATE TABLE IF NOT EXISTS meta.load_meldingen (
    load_id INTEGER NOT NULL,
    ernst   VARCHAR NOT NULL,         -- fout | waarschuwing
    rij     INTEGER,                  -- line in the file (Excel row for XLSX)
    aantal  INTEGER,                  -- rows with the same problem
    kolom   VARCHAR,
    waarde  VARCHAR,
    regel   VARCHAR,                  -- the rule (expectation) that failed
    bericht VARCHAR NOT NULL          -- Dutch message for the data steward
);

-- The area division (gebiedsindeling) each load follows: a year (the CBS division of that year) or 0 for a
-- division without a year (a gemeente's own area file: taken as its current division). `herkomst` says how
-- it was decided: given with --indeling/--jaar, the year of a CBS file, or recognised from the codes.
CREATE TABLE IF NOT EXISTS meta.load_indeling (
    load_id  INTEGER PRIMARY KEY,
    indeling INTEGER NOT NULL,
    herkomst VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS meta.instellingen (
    sleutel VARCHAR PRIMARY KEY,
    waarde  VARCHAR
);

-- Raw: every column as delivered (text, untrimmed; CBS per-year suffixes such as _5 dropped from the
-- header), plus provenance: the load and the line in the file.
CREATE TABLE IF NOT EXISTS raw.politie__misdrijven (
    "ID" VARCHAR, "SoortMisdrijf" VARCHAR, "WijkenEnBuurten" VARCHAR, "Perioden" VARCHAR,
    "GeregistreerdeMisdrijven" VARCHAR, "Gemeentenaam" VARCHAR, "SoortRegio" VARCHAR,
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.cbs__kerncijfers (
    "WijkenEnBuurten" VARCHAR, "Gemeentenaam" VARCHAR, "SoortRegio" VARCHAR, "Codering" VARCHAR,
    "AantalInwoners" VARCHAR, "HuishoudensTotaal" VARCHAR, "Woningvoorraad" VARCHAR,
    _jaar INTEGER NOT NULL,           -- from --jaar or the CBS table id in the file name
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.gemeente__bevolking (
    gebied_code VARCHAR, jaar VARCHAR, inwoners VARCHAR, huishoudens VARCHAR, woningen VARCHAR,
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

-- n_effectief (schema version 3): the effective sample size of a survey value; databases of an earlier version
-- get the column from ensure_schema (etl/build.py), after _rij.
CREATE TABLE IF NOT EXISTS raw.partner__waarnemingen (
    bron VARCHAR, gebied_code VARCHAR, periode VARCHAR, variabele VARCHAR, waarde VARCHAR,
    n VARCHAR, sd VARCHAR, n_effectief VARCHAR,
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.leefbaarometer__scores (
    gebied_code VARCHAR, gebied_naam VARCHAR, jaar VARCHAR,
    lbm VARCHAR, afw VARCHAR, fys VARCHAR, onv VARCHAR, soc VARCHAR, vrz VARCHAR, won VARCHAR,
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.gebieden__gebieden (
    gebied_code VARCHAR, gebied_naam VARCHAR,
    geometrie VARCHAR,                -- GeoJSON geometry (WGS84) or NULL for a code list
    eigenschappen VARCHAR,            -- all delivered properties as JSON text
    _jaar INTEGER,                    -- area division year (--jaar), NULL = not tied to a year
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

-- A crosswalk between two area divisions (bronsoort omzetting): which share of area van_code (division
-- _van_indeling) lies in area naar_code (division _naar_indeling). The divisions are decided at load time
-- (columns van_indeling/naar_indeling, or recognised from the codes).
CREATE TABLE IF NOT EXISTS raw.omzetting__omzettingen (
    van_code VARCHAR, naar_code VARCHAR, aandeel VARCHAR, van_indeling VARCHAR, naar_indeling VARCHAR,
    _van_indeling INTEGER NOT NULL, _naar_indeling INTEGER NOT NULL,
    _load_id INTEGER NOT NULL, _rij INTEGER NOT NULL
);

-- Shared helpers: a number as partners write it ("7,3" with a decimal comma, "  580.0", "." or NA = missing).
CREATE OR REPLACE MACRO wm_getal(s) AS TRY_CAST(
    CASE WHEN regexp_matches(trim(s), '^-?[0-9]+,[0-9]+$') THEN replace(trim(s), ',', '.') ELSE trim(s) END
    AS DOUBLE);
-- empty: nothing, CBS's "." (missing or secret) or R's NA (write.csv writes it for a missing number)
CREATE OR REPLACE MACRO wm_leeg(s) AS (s IS NULL OR trim(s) IN ('', '.', 'NA'));
CREATE OR REPLACE MACRO wm_niveau(code) AS CASE left(code, 2)
    WHEN 'BU' THEN 'buurt' WHEN 'WK' THEN 'wijk' WHEN 'GM' THEN 'gemeente' END;
-- Area divisions: 0 (without a year) counts as the newest; its name for messages and pages.
CREATE OR REPLACE MACRO wm_indeling_rang(i) AS CASE WHEN i = 0 THEN 9999 ELSE i END;
CREATE OR REPLACE MACRO wm_indeling_naam(i) AS CASE WHEN i = 0 THEN 'zonder jaar' ELSE CAST(i AS VARCHAR) END;
-- How a value was carried onto the analysis division (fct_omzetting.rang): worst of its parts counts.
CREATE OR REPLACE MACRO wm_omzetting_naam(r) AS CASE r
    WHEN 0 THEN 'eigen indeling' WHEN 1 THEN 'zelfde code' WHEN 2 THEN 'omzettingstabel' WHEN 3 THEN 'geometrie' END;
