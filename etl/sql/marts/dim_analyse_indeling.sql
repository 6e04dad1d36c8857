-- The area division each gemeente is analysed on: the setting `indeling` (wijkmonitor instellingen
-- indeling=2024) where the gemeente has areas in it, else the newest complete division of the gemeente
-- (a division without a year counts as the newest). Complete: named by an area file (GeoJSON or code list), or
-- by population files that cover at least 90% of the buurten the gemeente has in its fullest division; a
-- partial population extract never becomes the division a gemeente is analysed on.
WITH gekozen AS (
    SELECT TRY_CAST(trim(waarde) AS INTEGER) AS indeling
    FROM meta.instellingen
    WHERE sleutel = 'indeling' AND nullif(trim(waarde), '') IS NOT NULL
),

per_indeling AS (
    SELECT
        gemeente_code,
        indeling,
        count(*) FILTER (WHERE niveau = 'buurt')                          AS buurten,
        count(*) FILTER (WHERE niveau = 'wijk')                           AS wijken,
        bool_or(uit_gebiedenbestand)                                      AS uit_gebiedenbestand
    FROM marts.dim_indeling_gebied
    GROUP BY ALL
),

beoordeeld AS (
    SELECT
        *,
        uit_gebiedenbestand OR buurten >= 0.9 * max(buurten) OVER (PARTITION BY gemeente_code) AS volledig
    FROM per_indeling
)

SELECT
    b.gemeente_code,
    coalesce(
        max(b.indeling) FILTER (WHERE b.indeling = (SELECT indeling FROM gekozen)),
        arg_max(b.indeling, wm_indeling_rang(b.indeling)) FILTER (WHERE b.volledig)
    )                                                                     AS indeling,
    max(b.indeling) FILTER (WHERE b.indeling = (SELECT indeling FROM gekozen)) IS NOT NULL AS gekozen,
    count(*)                                                              AS indelingen
FROM beoordeeld AS b
GROUP BY b.gemeente_code
ORDER BY b.gemeente_code
