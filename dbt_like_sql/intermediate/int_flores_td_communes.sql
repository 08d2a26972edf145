/* ---
description: >
  Industrial salaried posts at 31/12 by commune of the target COG from the Flores millésimes
  2017-2021 (A17 tables), comparable with the A38 industry of int_flores_communes: A17 C1-C5 are
  NAF section C (A38 CA-CM) and DE is sections B, D and E (A38 BZ, DZ, EZ), so the default scope
  'BE' is C1-C5 + DE and the scope 'C' is C1-C5 (variable industry_scope). secret is true when an
  empty (withheld) industrial cell went in: the sum is then an under-estimate.
columns:
  millesime: Flores vintage (2017-2021)
  annee: Year (31 December)
  code_commune: Commune (target COG)
  postes_industrie: Industrial salaried posts (sum of the published cells)
  postes_industrie_secret: A withheld industrial cell contributed
tests:
  - unique: [millesime, annee, code_commune]
  - not_null: [millesime, annee, code_commune, postes_industrie, postes_industrie_secret]
--- */
with industrie as (
    select *
    from stg_flores_a17_td
    where activite_a17 in ('C1', 'C2', 'C3', 'C4', 'C5')
       or (activite_a17 = 'DE' and getvariable('industry_scope') <> 'C')
)
select
    f.millesime,
    f.annee,
    coalesce(p.code_commune, f.code_geo) as code_commune,
    coalesce(sum(f.valeur * coalesce(p.poids, 1.0)), 0) as postes_industrie,
    bool_or(f.secret) as postes_industrie_secret
from industrie f
left join int_passage_communes p
    on p.annee_cog = least(f.annee_cog, getvariable('target_cog_year')) and p.code_source = f.code_geo
group by all
