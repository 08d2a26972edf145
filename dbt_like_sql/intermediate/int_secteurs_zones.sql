/* ---
description: >
  Industrial A38 sectors of every zone (territories and comparators, int_zones_communes) and
  year: Flores salaried posts at 31/12 and establishments, summed over the zone's communes from
  the published A38 margins (all size bands), with the zone's industrial and all-activity posts,
  and the sector's rank by posts. Read by mart_ti_secteurs and by the top_secteurs_industriels
  indicator, so both say the same thing. When two Flores vintages give the same year, the newest
  is kept.
columns:
  type_zone: TI, FRANCE, REGION, ENSEMBLE_TI or HORS_TI
  code_zone: Territory id, region code, or FRANCE / ENSEMBLE_TI / HORS_TI
  millesime: Flores vintage
  annee: Year (31 December)
  activite_a38: Industrial A38 sector (scope of industry_scope)
  postes: Salaried posts at 31/12 of the sector in the zone
  etablissements: Establishments of the sector in the zone (UNIT_LOC)
  secret: A suppressed cell went into the sector's posts or establishments (under-estimate)
  postes_industrie_zone: Industrial posts of the zone (every industrial sector)
  postes_total_zone: Posts of the zone, every activity
  rang: Rank of the sector by posts in the zone and year (1 = most posts; ties by establishments, then code)
tests:
  - unique: [type_zone, code_zone, annee, activite_a38]
  - not_null: [type_zone, code_zone, annee, activite_a38, postes, etablissements, rang]
--- */
with flores as (
    select *
    from int_flores_communes
    where tranche_effectif = '_T'
    qualify millesime = max(millesime) over (partition by annee)
),
zones as (
    select
        z.type_zone, z.code_zone, f.millesime, f.annee, f.activite_a38, f.est_industrie,
        coalesce(sum(f.valeur) filter (where f.mesure = 'EMPL3112'), 0) as postes,
        coalesce(sum(f.valeur) filter (where f.mesure = 'UNIT_LOC'), 0) as etablissements,
        bool_or(f.secret) as secret
    from flores f
    join int_zones_communes z using (code_commune)
    group by all
),
totaux as (
    select
        type_zone, code_zone, annee,
        sum(postes) filter (where est_industrie) as postes_industrie_zone,
        sum(postes) filter (where activite_a38 = '_T') as postes_total_zone
    from zones
    group by all
)
select
    s.type_zone,
    s.code_zone,
    s.millesime,
    s.annee,
    s.activite_a38,
    s.postes,
    s.etablissements,
    s.secret,
    coalesce(t.postes_industrie_zone, 0) as postes_industrie_zone,
    t.postes_total_zone,
    row_number() over (
        partition by s.type_zone, s.code_zone, s.annee
        order by s.postes desc, s.etablissements desc, s.activite_a38
    ) as rang
from zones s
join totaux t using (type_zone, code_zone, annee)
where s.est_industrie and (s.postes > 0 or s.etablissements > 0)
