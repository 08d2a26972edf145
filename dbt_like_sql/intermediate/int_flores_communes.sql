/* ---
# only the cells the indicators and sectors read: the size bands of non-industrial activities
# are half of the national file's 4.3 M commune rows, and nothing downstream reads them (issue 8)
description: >
  Flores establishments and salaried posts by commune of the target COG, A38 activity and size
  band, with the industry flag of the configured scope: every activity in all sizes
  (tranche_effectif = '_T'), and the size bands of the industrial activities (the raw lake keeps
  every cell). secret is true when at least one suppressed cell went into the row (the value is
  then an under-estimate).
columns:
  millesime: Flores vintage
  annee: Year (31 December)
  code_commune: Commune (target COG)
  activite_a38: A38 code or '_T'
  tranche_effectif: Size band or '_T'
  mesure: UNIT_LOC or EMPL3112
  valeur: Sum of the published values
  secret: A suppressed cell contributed
  est_industrie: Activity is industry under the configured scope
tests:
  - unique: [millesime, annee, code_commune, activite_a38, tranche_effectif, mesure]
  - not_null: [code_commune, activite_a38, tranche_effectif, mesure]
--- */
select
    f.millesime,
    f.annee,
    coalesce(p.code_commune, f.code_geo) as code_commune,
    f.activite_a38,
    f.tranche_effectif,
    f.mesure,
    sum(f.valeur * coalesce(p.poids, 1.0)) as valeur,
    bool_or(f.secret) as secret,
    coalesce(any_value(a.est_industrie), false) as est_industrie
from stg_flores_a38 f
left join int_passage_communes p
    on p.annee_cog = least(f.annee_cog, getvariable('target_cog_year')) and p.code_source = f.code_geo
left join int_activites_a38 a on a.activite_a38 = f.activite_a38
where f.tranche_effectif = '_T' or coalesce(a.est_industrie, false)
group by all
