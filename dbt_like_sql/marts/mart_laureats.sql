/* ---
materialized: mart
description: >
  Every lauréat project, located or not, the two lauréat files merged (int_laureats_projets): the
  DGE France Relance file (every industrial measure, no amounts) and the programme extract of the
  Territoires d'industrie fund (aid, investment, jobs), a project present in both being one row.
  Where it was placed (commune of the target COG, by SIRET, head office of the SIREN, postcode and
  commune name, or postcode alone), the territories of that commune (a commune in two territories
  gives two), and, for a project that no method places, the reason. The portraits list a
  territory's lauréats here (list_contains(ids_ti, 'ti-NNNN')); the match rate is checked here.
columns:
  id_laureat: Project id (relance_laureats:<row of the DGE file>, or laureats_ti:<id_projet> for a project only in the extract)
  id_relance: Row number in the DGE file, null if the project is not in it
  id_projet_ti: id_projet in the TI fund extract, null if the project is not in it
  appariement: How the DGE row and the extract's project were paired (siret, siren, nom_code_postal)
  entreprise: Beneficiary
  siren: SIREN, when a published id gives one
  siret: SIRET, when a published id is one
  identifiant_statut: siret, siren, absent or invalide
  mesure: Measure (long label)
  mesure_light: Short measure label (Projets territoriaux for the TI fund, Relocalisation, Automobile...)
  filiere: Industrial sector as the source labels it
  code_postal: Postcode given by the source
  nom_commune: Commune name given by the source
  montant_aide: Aid granted, EUR (TI fund extract only)
  montant_investissement: Investment, EUR (TI fund extract only)
  emplois: Jobs announced (TI fund extract only)
  source_localisation: The file whose row placed the project
  methode_localisation: siret, siren_siege, code_postal_commune, code_postal; null when not located
  code_commune: Commune (target COG) where the project is located
  libelle_commune: Its name
  code_region: Its region
  ids_ti: Territories of that commune (empty outside every territory, null when not located)
  est_localise: The project was placed in a commune
  motif_non_localise: Why no method placed it
  millesime: Vintage of the source
tests:
  - unique: [id_laureat]
  - not_null: [id_laureat, est_localise]
  - assert: {name: localise_ou_motif, sql: "select * from mart_laureats where est_localise = (motif_non_localise is not null)"}
  - assert:
      name: taux_localisation
      sql: >
        select count(*) as nb_laureats, count(code_commune) as nb_localises,
               count(code_commune) / count(*) as taux_localisation, 0.9 as seuil,
               string_agg(entreprise || ' (' || motif_non_localise || ')', ' ; ') as non_localises
        from mart_laureats
        having count(code_commune) < 0.9 * count(*)
    severity: warn
    description: At least 90 % of the lauréats are placed in a commune (SOURCES.md expects ~98 % of the DGE rows to carry an id)
--- */
with territoires as (
    select code_commune, list(id_ti order by id_ti) as ids_ti
    from int_ti_communes
    group by all
)
select
    l.id_laureat,
    l.id_relance,
    l.id_projet_ti,
    l.appariement,
    l.entreprise,
    l.siren,
    l.siret,
    l.identifiant_statut,
    l.mesure,
    l.mesure_light,
    l.filiere,
    l.code_postal,
    l.nom_commune,
    l.montant_aide,
    l.montant_investissement,
    l.emplois,
    l.source_localisation,
    l.methode_localisation,
    l.code_commune,
    c.libelle_commune,
    c.code_region,
    case when l.code_commune is not null then coalesce(t.ids_ti, []::varchar[]) end as ids_ti,
    l.code_commune is not null as est_localise,
    l.motif_non_localise,
    l.millesime
from int_laureats_projets l
left join int_communes c on c.code_commune = l.code_commune
left join territoires t on t.code_commune = l.code_commune
order by try_cast(l.id_relance as integer), l.id_projet_ti
