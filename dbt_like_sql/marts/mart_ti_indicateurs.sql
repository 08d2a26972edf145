/* ---
materialized: mart
partition_by: [annee]
description: >
  The portrait indicators, long format: one row per territory, indicator and year, with the
  numerator and denominator summed over the territory's communes (target COG; a commune shared by
  two territories counts in both), the value, and the four comparators (France, the territory's
  reference region, all territories together, France outside the territories) computed the same
  way. When a source has several vintages for the same year, the newest is kept.
columns:
  id_ti: Territory id (ti-NNNN)
  lib_ti: Territory name
  code_indicateur: Indicator code (dim_indicateur)
  annee: Year the figures refer to
  numerateur: Sum of the communes' numerators (the value itself for counts)
  denominateur: Sum of the communes' denominators, null for counts
  valeur: Value (see dim_indicateur.type_calcul)
  unite: Unit (nombre, part, pour 100)
  valeur_france: Value for France (all communes)
  valeur_region: Value for the territory's reference region
  valeur_ensemble_ti: Value for all territories together (each commune once)
  valeur_hors_ti: Value for France outside the territories
  code_region: Reference region of the territory (the one holding most of its population)
  source: Source of the figures
  millesime: Vintage of the source
  annee_cog: COG year the communes were moved onto
  qualite: ok; secret (suppressed Flores cells, under-estimate); partiel (some communes without data)
  nb_communes_renseignees: Communes of the territory with data for this indicator
  nb_communes: Communes of the territory
tests:
  - unique: [id_ti, code_indicateur, annee]
  - not_null: [id_ti, code_indicateur, annee, unite, qualite]
  - relationships: {column: code_indicateur, to: dim_indicateur.code_indicateur}
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - accepted_values: {column: qualite, values: [ok, secret, partiel]}
  - row_count: {min: 1}
  - assert: {name: parts_entre_0_et_1, sql: "select * from mart_ti_indicateurs where unite = 'part' and (valeur < 0 or valeur > 1)"}
  - assert: {name: numerateur_inferieur_denominateur, sql: "select * from mart_ti_indicateurs where unite = 'part' and numerateur > denominateur"}
--- */
with communes as (
    select * from int_indicateurs_communes
    -- the newest vintage of each year (Flores 2024 and a later Flores 2025 both give 2024)
    qualify millesime = max(millesime) over (partition by code_indicateur, annee)
),
zones as (
    select 'TI' as type_zone, m.id_ti as code_zone, c.*
    from communes c join int_ti_communes m using (code_commune)
    union all
    select 'FRANCE', 'FRANCE', c.* from communes c
    union all
    select 'REGION', k.code_region, c.* from communes c join int_communes k using (code_commune)
    union all
    select 'ENSEMBLE_TI', 'ENSEMBLE_TI', c.* from communes c join int_communes k using (code_commune) where k.est_ti
    union all
    select 'HORS_TI', 'HORS_TI', c.* from communes c join int_communes k using (code_commune) where not k.est_ti
),
sommes as (
    select
        type_zone, code_zone, code_indicateur, annee,
        any_value(source) as source,
        any_value(millesime) as millesime,
        sum(numerateur) as numerateur,
        sum(denominateur) as denominateur,
        bool_or(secret) as secret,
        count(distinct code_commune) filter (where numerateur is not null) as nb_communes_renseignees
    from zones
    group by all
),
valeurs as (
    select
        s.*,
        d.unite,
        case d.type_calcul
            when 'somme' then s.numerateur
            when 'part' then s.numerateur / nullif(s.denominateur, 0)
            when 'pour_100' then 100 * s.numerateur / nullif(s.denominateur, 0)
        end as valeur
    from sommes s
    join dim_indicateur d using (code_indicateur)
),
territoires as (
    select m.id_ti, count(distinct m.code_commune) as nb_communes
    from int_ti_communes m group by all
)
select
    t.code_zone as id_ti,
    ti.lib_ti,
    t.code_indicateur,
    t.annee,
    t.numerateur,
    t.denominateur,
    t.valeur,
    t.unite,
    fr.valeur as valeur_france,
    rg.valeur as valeur_region,
    en.valeur as valeur_ensemble_ti,
    ht.valeur as valeur_hors_ti,
    r.code_region,
    t.source,
    t.millesime,
    getvariable('target_cog_year') as annee_cog,
    case
        when t.secret then 'secret'
        when t.nb_communes_renseignees < n.nb_communes then 'partiel'
        else 'ok'
    end as qualite,
    t.nb_communes_renseignees,
    n.nb_communes
from valeurs t
join stg_ti_territoires ti on ti.id_ti = t.code_zone
join territoires n on n.id_ti = t.code_zone
left join int_ti_regions r on r.id_ti = t.code_zone
left join valeurs fr on fr.type_zone = 'FRANCE' and fr.code_indicateur = t.code_indicateur and fr.annee = t.annee
left join valeurs rg on rg.type_zone = 'REGION' and rg.code_zone = r.code_region and rg.code_indicateur = t.code_indicateur and rg.annee = t.annee
left join valeurs en on en.type_zone = 'ENSEMBLE_TI' and en.code_indicateur = t.code_indicateur and en.annee = t.annee
left join valeurs ht on ht.type_zone = 'HORS_TI' and ht.code_indicateur = t.code_indicateur and ht.annee = t.annee
where t.type_zone = 'TI'
