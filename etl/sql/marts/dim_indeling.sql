-- The loaded area divisions, for the data page and `wijkmonitor indelingen`: what each holds, how many loads
-- follow it, for how many gemeenten it is the analysis division, and how its areas are carried onto that.
WITH gebieden AS (
    SELECT indeling,
           count(DISTINCT gemeente_code)                         AS gemeenten,
           count(*) FILTER (WHERE niveau = 'wijk')               AS wijken,
           count(*) FILTER (WHERE niveau = 'buurt')              AS buurten,
           count(*) FILTER (WHERE eigen_geometrie)               AS met_geometrie
    FROM marts.dim_indeling_gebied
    GROUP BY ALL
),

leveringen AS (
    SELECT indeling, count(*) AS leveringen FROM meta.load_indeling GROUP BY ALL
),

analyse_gemeenten AS (
    SELECT indeling, count(*) AS analyse_gemeenten FROM marts.dim_analyse_indeling GROUP BY ALL
),

omzetting AS (
    SELECT van_indeling AS indeling,
           count(DISTINCT van_code) FILTER (WHERE rang = 0)      AS eigen,
           count(DISTINCT van_code) FILTER (WHERE rang = 1)      AS zelfde_code,
           count(DISTINCT van_code) FILTER (WHERE rang = 2)      AS omzettingstabel,
           count(DISTINCT van_code) FILTER (WHERE rang = 3)      AS geometrie,
           count(DISTINCT van_code) FILTER (WHERE rang IS NULL)  AS niet_omgezet
    FROM marts.fct_omzetting
    GROUP BY ALL
)

SELECT
    g.indeling,
    wm_indeling_naam(g.indeling)              AS naam,
    g.gemeenten, g.wijken, g.buurten, g.met_geometrie,
    coalesce(l.leveringen, 0)                 AS leveringen,
    coalesce(a.analyse_gemeenten, 0)          AS analyse_gemeenten,
    coalesce(o.eigen, 0)                      AS eigen,
    coalesce(o.zelfde_code, 0)                AS zelfde_code,
    coalesce(o.omzettingstabel, 0)            AS omzettingstabel,
    coalesce(o.geometrie, 0)                  AS geometrie,
    coalesce(o.niet_omgezet, 0)               AS niet_omgezet
FROM gebieden AS g
LEFT JOIN leveringen AS l USING (indeling)
LEFT JOIN analyse_gemeenten AS a USING (indeling)
LEFT JOIN omzetting AS o USING (indeling)
ORDER BY wm_indeling_rang(g.indeling)
