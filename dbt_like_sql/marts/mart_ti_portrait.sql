/* ---
materialized: mart
description: >
  The portrait of each territory, wide: one row per territory and year, one column per indicator
  of dim_indicateur holding its latest value up to that year (the row of the newest year is the
  current portrait; an earlier row is the portrait as the data stood then), with the year that
  value refers to in <code>__annee. Years are every year of mart_ti_indicateurs; an indicator
  without data up to a year is null. Comparators, numerators, denominators and quality flags are
  in mart_ti_indicateurs (same id_ti, code_indicateur = column name, annee = <code>__annee).
columns:
  id_ti: Territory id
  lib_ti: Territory name
  code_region: Reference region of the territory
  annee: Year of the portrait (values are the latest available up to this year)
  nb_communes: Nombre de communes (nombre), latest value up to annee
  nb_communes__annee: Year of nb_communes
  nb_epci: Nombre de groupements (EPCI et communes isolées) (nombre), latest value up to annee
  nb_epci__annee: Year of nb_epci
  population: Population (nombre), latest value up to annee
  population__annee: Year of population
  evol_population_5a: Évolution annuelle moyenne de la population (taux), latest value up to annee
  evol_population_5a__annee: Year of evol_population_5a
  part_60_plus: Part des 60 ans ou plus (part), latest value up to annee
  part_60_plus__annee: Year of part_60_plus
  taux_activite_15_64: Taux d'activité des 15-64 ans (part), latest value up to annee
  taux_activite_15_64__annee: Year of taux_activite_15_64
  taux_chomage_15_64: Taux de chômage des 15-64 ans (au sens du recensement) (part), latest value up to annee
  taux_chomage_15_64__annee: Year of taux_chomage_15_64
  part_ouvriers_actifs_occ: Part des ouvriers parmi les actifs occupés (part), latest value up to annee
  part_ouvriers_actifs_occ__annee: Year of part_ouvriers_actifs_occ
  emplois_lt: Emplois au lieu de travail (nombre), latest value up to annee
  emplois_lt__annee: Year of emplois_lt
  evol_emplois_lt_5a: Évolution de l'emploi au lieu de travail (taux), latest value up to annee
  evol_emplois_lt_5a__annee: Year of evol_emplois_lt_5a
  concentration_emploi: Indicateur de concentration d'emploi (pour 100), latest value up to annee
  concentration_emploi__annee: Year of concentration_emploi
  part_emploi_industriel: Part de l'industrie dans l'emploi (part), latest value up to annee
  part_emploi_industriel__annee: Year of part_emploi_industriel
  part_femmes_industrie: Part des femmes dans l'emploi industriel (part), latest value up to annee
  part_femmes_industrie__annee: Year of part_femmes_industrie
  part_salaries_industrie: Part des salariés dans l'emploi industriel (part), latest value up to annee
  part_salaries_industrie__annee: Year of part_salaries_industrie
  postes_salaries_industrie: Postes salariés de l'industrie au 31/12 (nombre), latest value up to annee
  postes_salaries_industrie__annee: Year of postes_salaries_industrie
  part_industrie_emploi_salarie: Part de l'industrie dans l'emploi salarié (part), latest value up to annee
  part_industrie_emploi_salarie__annee: Year of part_industrie_emploi_salarie
  etab_employeurs_industrie: Établissements industriels (nombre), latest value up to annee
  etab_employeurs_industrie__annee: Year of etab_employeurs_industrie
  part_postes_ind_etab_50_plus: Part des postes industriels dans les établissements de 50 salariés ou plus (part), latest value up to annee
  part_postes_ind_etab_50_plus__annee: Year of part_postes_ind_etab_50_plus
  part_postes_ind_etab_250_plus: Part des postes industriels dans les établissements de 200 salariés ou plus (part), latest value up to annee
  part_postes_ind_etab_250_plus__annee: Year of part_postes_ind_etab_250_plus
  top_secteurs_industriels: Poids des trois premiers secteurs industriels (part), latest value up to annee
  top_secteurs_industriels__annee: Year of top_secteurs_industriels
  evol_emploi_ind_prive_1a: Évolution de l'emploi salarié privé industriel sur 1 an (taux), latest value up to annee
  evol_emploi_ind_prive_1a__annee: Year of evol_emploi_ind_prive_1a
  evol_emploi_ind_prive_5a: Évolution de l'emploi salarié privé industriel sur 5 ans (taux), latest value up to annee
  evol_emploi_ind_prive_5a__annee: Year of evol_emploi_ind_prive_5a
  evol_emploi_ind_prive_10a: Évolution de l'emploi salarié privé industriel sur 10 ans (taux), latest value up to annee
  evol_emploi_ind_prive_10a__annee: Year of evol_emploi_ind_prive_10a
  nb_laureats_relance: Lauréats France Relance (mesures industrielles) (nombre), latest value up to annee
  nb_laureats_relance__annee: Year of nb_laureats_relance
  investissement_laureats: Investissement des lauréats du fonds Territoires d'industrie (EUR), latest value up to annee
  investissement_laureats__annee: Year of investissement_laureats
  aide_laureats: Aide accordée aux lauréats du fonds Territoires d'industrie (EUR), latest value up to annee
  aide_laureats__annee: Year of aide_laureats
  emplois_laureats: Emplois annoncés par les lauréats du fonds Territoires d'industrie (nombre), latest value up to annee
  emplois_laureats__annee: Year of emplois_laureats
  laureats_pour_10k_postes_ind: Lauréats pour 10 000 postes salariés industriels (pour 10 000), latest value up to annee
  laureats_pour_10k_postes_ind__annee: Year of laureats_pour_10k_postes_ind
  taux_pauvrete: Taux de pauvreté (part), latest value up to annee
  taux_pauvrete__annee: Year of taux_pauvrete
  niveau_vie_median_approche: Niveau de vie médian (approché) (EUR), latest value up to annee
  niveau_vie_median_approche__annee: Year of niveau_vie_median_approche
  effectifs_ind_prive: Effectifs salariés privés de l'industrie (nombre), latest value up to annee
  effectifs_ind_prive__annee: Year of effectifs_ind_prive
  evol_emploi_ind_prive_depuis_2006: Évolution de l'emploi salarié privé industriel depuis 2006 (taux), latest value up to annee
  evol_emploi_ind_prive_depuis_2006__annee: Year of evol_emploi_ind_prive_depuis_2006
  evol_postes_industrie_flores: Évolution des postes salariés de l'industrie (Flores) (taux), latest value up to annee
  evol_postes_industrie_flores__annee: Year of evol_postes_industrie_flores
  population_historique: Population aux recensements depuis 1968 (nombre), latest value up to annee
  population_historique__annee: Year of population_historique
  evol_population_depuis_2006: Évolution de la population depuis 2006 (taux), latest value up to annee
  evol_population_depuis_2006__annee: Year of evol_population_depuis_2006
  emplois_industrie_lt: Emplois industriels au lieu de travail (nombre), latest value up to annee
  emplois_industrie_lt__annee: Year of emplois_industrie_lt
  evol_emplois_lt_depuis_2011: Évolution de l'emploi au lieu de travail depuis 2011 (taux), latest value up to annee
  evol_emplois_lt_depuis_2011__annee: Year of evol_emplois_lt_depuis_2011
  evol_emplois_lt_depuis_2016: Évolution de l'emploi au lieu de travail depuis 2016 (taux), latest value up to annee
  evol_emplois_lt_depuis_2016__annee: Year of evol_emplois_lt_depuis_2016
  evol_emplois_industrie_lt_depuis_2011: Évolution de l'emploi industriel au lieu de travail depuis 2011 (taux), latest value up to annee
  evol_emplois_industrie_lt_depuis_2011__annee: Year of evol_emplois_industrie_lt_depuis_2011
  evol_emplois_industrie_lt_depuis_2016: Évolution de l'emploi industriel au lieu de travail depuis 2016 (taux), latest value up to annee
  evol_emplois_industrie_lt_depuis_2016__annee: Year of evol_emplois_industrie_lt_depuis_2016
tests:
  - unique: [id_ti, annee]
  - not_null: [id_ti, lib_ti, annee]
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - assert:
      name: une_ligne_par_territoire_et_annee
      sql: >
        select n, attendu from (
          select (select count(*) from mart_ti_portrait) as n,
                 (select count(distinct id_ti) * count(distinct annee) from mart_ti_indicateurs) as attendu
        ) where n <> attendu
  - assert:
      name: derniere_annee_comme_mart_ti_indicateurs
      sql: >
        select p.id_ti, p.population, i.valeur
        from mart_ti_portrait p
        join mart_ti_indicateurs i
          on i.id_ti = p.id_ti and i.code_indicateur = 'population' and i.annee = p.population__annee
        where p.annee = (select max(annee) from mart_ti_portrait) and p.population is distinct from i.valeur
    description: The newest portrait shows the newest population of the long mart
--- */
with annees as (
    select distinct annee from mart_ti_indicateurs
),
territoires as (
    select distinct id_ti, lib_ti, code_region from mart_ti_indicateurs
),
a_date as (
    -- for every portrait year, each indicator's latest value up to that year
    select
        t.id_ti, a.annee, i.code_indicateur,
        arg_max(i.valeur, i.annee) as valeur,
        max(i.annee) as annee_valeur
    from territoires t
    cross join annees a
    join mart_ti_indicateurs i on i.id_ti = t.id_ti and i.annee <= a.annee
    group by all
)
select
    t.id_ti,
    t.lib_ti,
    t.code_region,
    a.annee,
    max(v.valeur) filter (where v.code_indicateur = 'nb_communes') as nb_communes,
    max(v.annee_valeur) filter (where v.code_indicateur = 'nb_communes') as nb_communes__annee,
    max(v.valeur) filter (where v.code_indicateur = 'nb_epci') as nb_epci,
    max(v.annee_valeur) filter (where v.code_indicateur = 'nb_epci') as nb_epci__annee,
    max(v.valeur) filter (where v.code_indicateur = 'population') as population,
    max(v.annee_valeur) filter (where v.code_indicateur = 'population') as population__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_population_5a') as evol_population_5a,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_population_5a') as evol_population_5a__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_60_plus') as part_60_plus,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_60_plus') as part_60_plus__annee,
    max(v.valeur) filter (where v.code_indicateur = 'taux_activite_15_64') as taux_activite_15_64,
    max(v.annee_valeur) filter (where v.code_indicateur = 'taux_activite_15_64') as taux_activite_15_64__annee,
    max(v.valeur) filter (where v.code_indicateur = 'taux_chomage_15_64') as taux_chomage_15_64,
    max(v.annee_valeur) filter (where v.code_indicateur = 'taux_chomage_15_64') as taux_chomage_15_64__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_ouvriers_actifs_occ') as part_ouvriers_actifs_occ,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_ouvriers_actifs_occ') as part_ouvriers_actifs_occ__annee,
    max(v.valeur) filter (where v.code_indicateur = 'emplois_lt') as emplois_lt,
    max(v.annee_valeur) filter (where v.code_indicateur = 'emplois_lt') as emplois_lt__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emplois_lt_5a') as evol_emplois_lt_5a,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emplois_lt_5a') as evol_emplois_lt_5a__annee,
    max(v.valeur) filter (where v.code_indicateur = 'concentration_emploi') as concentration_emploi,
    max(v.annee_valeur) filter (where v.code_indicateur = 'concentration_emploi') as concentration_emploi__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_emploi_industriel') as part_emploi_industriel,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_emploi_industriel') as part_emploi_industriel__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_femmes_industrie') as part_femmes_industrie,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_femmes_industrie') as part_femmes_industrie__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_salaries_industrie') as part_salaries_industrie,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_salaries_industrie') as part_salaries_industrie__annee,
    max(v.valeur) filter (where v.code_indicateur = 'postes_salaries_industrie') as postes_salaries_industrie,
    max(v.annee_valeur) filter (where v.code_indicateur = 'postes_salaries_industrie') as postes_salaries_industrie__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_industrie_emploi_salarie') as part_industrie_emploi_salarie,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_industrie_emploi_salarie') as part_industrie_emploi_salarie__annee,
    max(v.valeur) filter (where v.code_indicateur = 'etab_employeurs_industrie') as etab_employeurs_industrie,
    max(v.annee_valeur) filter (where v.code_indicateur = 'etab_employeurs_industrie') as etab_employeurs_industrie__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_postes_ind_etab_50_plus') as part_postes_ind_etab_50_plus,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_postes_ind_etab_50_plus') as part_postes_ind_etab_50_plus__annee,
    max(v.valeur) filter (where v.code_indicateur = 'part_postes_ind_etab_250_plus') as part_postes_ind_etab_250_plus,
    max(v.annee_valeur) filter (where v.code_indicateur = 'part_postes_ind_etab_250_plus') as part_postes_ind_etab_250_plus__annee,
    max(v.valeur) filter (where v.code_indicateur = 'top_secteurs_industriels') as top_secteurs_industriels,
    max(v.annee_valeur) filter (where v.code_indicateur = 'top_secteurs_industriels') as top_secteurs_industriels__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_1a') as evol_emploi_ind_prive_1a,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_1a') as evol_emploi_ind_prive_1a__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_5a') as evol_emploi_ind_prive_5a,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_5a') as evol_emploi_ind_prive_5a__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_10a') as evol_emploi_ind_prive_10a,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_10a') as evol_emploi_ind_prive_10a__annee,
    max(v.valeur) filter (where v.code_indicateur = 'nb_laureats_relance') as nb_laureats_relance,
    max(v.annee_valeur) filter (where v.code_indicateur = 'nb_laureats_relance') as nb_laureats_relance__annee,
    max(v.valeur) filter (where v.code_indicateur = 'investissement_laureats') as investissement_laureats,
    max(v.annee_valeur) filter (where v.code_indicateur = 'investissement_laureats') as investissement_laureats__annee,
    max(v.valeur) filter (where v.code_indicateur = 'aide_laureats') as aide_laureats,
    max(v.annee_valeur) filter (where v.code_indicateur = 'aide_laureats') as aide_laureats__annee,
    max(v.valeur) filter (where v.code_indicateur = 'emplois_laureats') as emplois_laureats,
    max(v.annee_valeur) filter (where v.code_indicateur = 'emplois_laureats') as emplois_laureats__annee,
    max(v.valeur) filter (where v.code_indicateur = 'laureats_pour_10k_postes_ind') as laureats_pour_10k_postes_ind,
    max(v.annee_valeur) filter (where v.code_indicateur = 'laureats_pour_10k_postes_ind') as laureats_pour_10k_postes_ind__annee,
    max(v.valeur) filter (where v.code_indicateur = 'taux_pauvrete') as taux_pauvrete,
    max(v.annee_valeur) filter (where v.code_indicateur = 'taux_pauvrete') as taux_pauvrete__annee,
    max(v.valeur) filter (where v.code_indicateur = 'niveau_vie_median_approche') as niveau_vie_median_approche,
    max(v.annee_valeur) filter (where v.code_indicateur = 'niveau_vie_median_approche') as niveau_vie_median_approche__annee,
    max(v.valeur) filter (where v.code_indicateur = 'effectifs_ind_prive') as effectifs_ind_prive,
    max(v.annee_valeur) filter (where v.code_indicateur = 'effectifs_ind_prive') as effectifs_ind_prive__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_depuis_2006') as evol_emploi_ind_prive_depuis_2006,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emploi_ind_prive_depuis_2006') as evol_emploi_ind_prive_depuis_2006__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_postes_industrie_flores') as evol_postes_industrie_flores,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_postes_industrie_flores') as evol_postes_industrie_flores__annee,
    max(v.valeur) filter (where v.code_indicateur = 'population_historique') as population_historique,
    max(v.annee_valeur) filter (where v.code_indicateur = 'population_historique') as population_historique__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_population_depuis_2006') as evol_population_depuis_2006,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_population_depuis_2006') as evol_population_depuis_2006__annee,
    max(v.valeur) filter (where v.code_indicateur = 'emplois_industrie_lt') as emplois_industrie_lt,
    max(v.annee_valeur) filter (where v.code_indicateur = 'emplois_industrie_lt') as emplois_industrie_lt__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emplois_lt_depuis_2011') as evol_emplois_lt_depuis_2011,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emplois_lt_depuis_2011') as evol_emplois_lt_depuis_2011__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emplois_lt_depuis_2016') as evol_emplois_lt_depuis_2016,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emplois_lt_depuis_2016') as evol_emplois_lt_depuis_2016__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emplois_industrie_lt_depuis_2011') as evol_emplois_industrie_lt_depuis_2011,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emplois_industrie_lt_depuis_2011') as evol_emplois_industrie_lt_depuis_2011__annee,
    max(v.valeur) filter (where v.code_indicateur = 'evol_emplois_industrie_lt_depuis_2016') as evol_emplois_industrie_lt_depuis_2016,
    max(v.annee_valeur) filter (where v.code_indicateur = 'evol_emplois_industrie_lt_depuis_2016') as evol_emplois_industrie_lt_depuis_2016__annee
from territoires t
cross join annees a
left join a_date v on v.id_ti = t.id_ti and v.annee = a.annee
group by t.id_ti, t.lib_ti, t.code_region, a.annee
order by t.id_ti, a.annee
