/* ---
description: >
  Proof that moving the sources onto the target COG (int_passage_communes) neither creates nor
  loses anything: for population and jobs (census), salaried posts and establishments (Flores)
  and salaried headcount (Urssaf), the national total as published (every commune or
  arrondissement code of the source's own COG) against the total after the move, and against the
  part of it that lands on a commune of the target COG (what the zones of the marts can see).
  Merged communes are summed and arrondissements go to their commune, which conserves totals by
  construction; a split commune is shared out between the communes it became in proportion to
  their population (découpage administratif, target COG), with weights summing to 1
  (int_passage_communes, test poids_somme_a_un), which conserves totals too. A gap here means a
  code fell through the passage table.
columns:
  source: rp_population, rp_emploi, flores_a38 or urssaf_ape
  mesure: Variable summed (P_POP, P_EMPLT, EMPL3112, UNIT_LOC, effectifs_salaries)
  millesime: Vintage of the source
  annee: Year of the values
  total_avant: Sum over the source's own codes, before the move
  total_apres: Sum after the move onto the target COG
  total_apres_cog_cible: Part of total_apres on communes of the target COG (int_communes)
  ecart: total_apres - total_avant (should be 0 up to rounding)
  ecart_hors_cog_cible: total_apres - total_apres_cog_cible (values on codes the target COG does not know)
tests:
  - unique: [source, mesure, millesime, annee]
  - not_null: [source, mesure, millesime, annee, total_avant, total_apres]
--- */
with avant as (
    select base as source, variable as mesure, millesime, annee, sum(valeur) as total
    from stg_rp
    where variable in ('P_POP', 'P_EMPLT')
    group by all
    union all
    select 'flores_a38', mesure, millesime, annee, sum(valeur)
    from stg_flores_a38
    where activite_a38 = '_T' and tranche_effectif = '_T'
    group by all
    union all
    -- Urssaf straight from the file's year columns (1.2 M rows), the same totals as the 20 M rows
    -- of stg_urssaf_ape summed by year, without turning them into rows again (1 s at national scale)
    select 'urssaf_ape', 'effectifs_salaries', millesime, cast(regexp_extract(colonne, '(\d{4})', 1) as integer), total
    from (
        unpivot (
            select millesime, sum(columns('^effectifs_salaries_\d{4}$')) from raw_urssaf_ape group by millesime
        ) on columns(* exclude (millesime)) into name colonne value total
    )
    where total is not null
),
apres as (
    select base as source, variable as mesure, millesime, annee, code_commune, valeur
    from int_rp_communes
    where variable in ('P_POP', 'P_EMPLT')
    union all
    select 'flores_a38', mesure, millesime, annee, code_commune, valeur
    from int_flores_communes
    where activite_a38 = '_T' and tranche_effectif = '_T'
    union all
    select 'urssaf_ape', 'effectifs_salaries', millesime, annee, code_commune, effectifs_salaries
    from int_urssaf_communes
),
totaux_apres as (
    select
        source, mesure, millesime, annee,
        sum(valeur) as total,
        sum(valeur) filter (where code_commune in (select code_commune from int_communes)) as total_cog_cible
    from apres
    group by all
)
select
    a.source,
    a.mesure,
    a.millesime,
    a.annee,
    a.total as total_avant,
    coalesce(p.total, 0) as total_apres,
    coalesce(p.total_cog_cible, 0) as total_apres_cog_cible,
    coalesce(p.total, 0) - a.total as ecart,
    coalesce(p.total, 0) - coalesce(p.total_cog_cible, 0) as ecart_hors_cog_cible
from avant a
left join totaux_apres p using (source, mesure, millesime, annee)
order by all
