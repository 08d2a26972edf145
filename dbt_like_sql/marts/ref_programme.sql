/* ---
materialized: mart
description: >
  The reference figures of the Territoires d'industrie programme (INDICATORS.md), kept as cited
  constants and never used as computed values, next to what the data gives for the same notion and
  the gap. The checks of this model warn (they never block) when the gap exceeds the tolerance: on
  live data a large gap means a source is incomplete or a definition differs; on the synthetic
  sample (10 territories) every figure is far off by design.
columns:
  code_reference: Figure code
  libelle: What the figure counts
  valeur_reference: The programme's figure (constant)
  unite: nombre or EUR
  source_reference: Where the figure comes from
  valeur_donnees: What the pipeline's data give for it
  definition_donnees: How valeur_donnees is computed
  ecart: valeur_donnees - valeur_reference
  ecart_relatif: ecart / valeur_reference
  tolerance_relative: Largest relative gap accepted without a warning (0 = must be equal)
  conforme: abs(ecart_relatif) <= tolerance_relative
tests:
  - unique: [code_reference]
  - not_null: [code_reference, libelle, valeur_reference, unite, source_reference, tolerance_relative]
  - assert: {name: ref_nb_territoires, sql: "select * from ref_programme where code_reference = 'nb_territoires' and not coalesce(conforme, false)"}
    severity: warn
    description: 183 territories (programme) against the ANCT list
  - assert: {name: ref_nb_groupements, sql: "select * from ref_programme where code_reference = 'nb_groupements' and not coalesce(conforme, false)"}
    severity: warn
    description: About 630 groupements (programme) against the ANCT list of groupements
  - assert: {name: ref_nb_regions, sql: "select * from ref_programme where code_reference = 'nb_regions' and not coalesce(conforme, false)"}
    severity: warn
    description: 18 regions (programme) against the regions of the member communes
  - assert: {name: ref_nb_laureats, sql: "select * from ref_programme where code_reference = 'nb_laureats' and not coalesce(conforme, false)"}
    severity: warn
    description: About 2,400 lauréats of the fund (programme) against the lauréat sources
  - assert: {name: ref_investissement, sql: "select * from ref_programme where code_reference = 'investissement' and not coalesce(conforme, false)"}
    severity: warn
    description: 82 bn EUR of investment (programme) against the lauréats' reported investment
  - assert: {name: ref_emplois, sql: "select * from ref_programme where code_reference = 'emplois' and not coalesce(conforme, false)"}
    severity: warn
    description: 44,700 potential jobs (programme) against the lauréats' reported jobs
--- */
with reference(ordre, code_reference, libelle, valeur_reference, unite, tolerance_relative) as (
    -- the programme's public figures, copied from its press releases; do not derive them
    values
    (1, 'nb_territoires', 'Territoires d''industrie (Temps II)', 183.0, 'nombre', 0.0),
    (2, 'nb_groupements', 'Intercommunalités et communes membres', 630.0, 'nombre', 0.05),
    (3, 'nb_regions', 'Régions couvertes', 18.0, 'nombre', 0.0),
    (4, 'nb_laureats', 'Lauréats du fonds d''accélération des investissements industriels dans les territoires, 2018-2022', 2400.0, 'nombre', 0.10),
    (5, 'investissement', 'Investissement industriel des lauréats', 82e9, 'EUR', 0.10),
    (6, 'emplois', 'Emplois potentiels des projets lauréats', 44700.0, 'nombre', 0.10)
),
fonds_ti as (
    -- the fund's lauréat projects (DGE measure 'Territoires d'industrie', or the fund's extract)
    select * from int_laureats_projets where mesure_light = 'Territoires d''industrie' or id_projet_ti is not null
),
donnees(code_reference, valeur_donnees, definition_donnees) as (
    select 'nb_territoires', count(*)::double, 'territoires de la liste ANCT (stg_ti_territoires)' from stg_ti_territoires
    union all
    select 'nb_groupements', count(distinct siren_groupement)::double, 'siren_groupement distincts de la liste ANCT des groupements' from stg_ti_groupements
    union all
    select 'nb_regions', count(distinct code_region)::double, 'régions des communes membres (COG cible)' from mart_ti_composition
    union all
    select 'nb_laureats', count(distinct id_laureat)::double, 'projets lauréats du fonds TI, localisés ou non (int_laureats_projets)' from fonds_ti
    union all
    select 'investissement', sum(montant_investissement), 'somme des investissements renseignés des lauréats du fonds TI' from fonds_ti
    union all
    select 'emplois', sum(emplois), 'somme des emplois renseignés des lauréats du fonds TI' from fonds_ti
)
select
    r.code_reference,
    r.libelle,
    r.valeur_reference,
    r.unite,
    'Communiqués de presse du programme Territoires d''industrie (ANCT, DGE) du 13/03/2024 et du 06/11/2024, cités dans INDICATORS.md' as source_reference,
    d.valeur_donnees,
    d.definition_donnees,
    d.valeur_donnees - r.valeur_reference as ecart,
    (d.valeur_donnees - r.valeur_reference) / r.valeur_reference as ecart_relatif,
    r.tolerance_relative::double as tolerance_relative,
    abs((d.valeur_donnees - r.valeur_reference) / r.valeur_reference) <= r.tolerance_relative as conforme
from reference r
left join donnees d using (code_reference)
order by r.ordre
