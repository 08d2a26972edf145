/* ---
description: >
  Territory membership in the target COG: one row per territory and commune (many-to-many: a
  commune in two territories appears twice). Communes of the TI list (COG 2023) are moved with
  the passage table: the two halves of a merger become the one new commune.
columns:
  id_ti: Territory id
  code_commune: Commune code (target COG)
  codes_commune_liste: The commune's code(s) in the TI list's COG
tests:
  - unique: [id_ti, code_commune]
  - not_null: [id_ti, code_commune]
  - relationships: {column: id_ti, to: stg_ti_territoires.id_ti}
--- */
select
    t.id_ti,
    coalesce(p.code_commune, t.code_commune) as code_commune,
    string_agg(distinct t.code_commune, ' ; ' order by t.code_commune) as codes_commune_liste
from stg_ti_communes t
left join int_passage_communes p
    on p.annee_cog = least(t.annee_cog, getvariable('target_cog_year')) and p.code_source = t.code_commune
group by all
