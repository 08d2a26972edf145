/* Macros every model can call. The SQL runner creates them in every DuckDB database it opens for
   models (ti_pipeline/sql_runner/execute.py, open_database), before any model's SQL runs; the
   project loader does not read this folder as models (sql_runner/project.py, MACROS_DIR).

   The SIREN/SIRET key. Its Python home is ti_pipeline/validation/rules.py (luhn_key_ok, used by
   luhn_siren and luhn_siret): the two must agree, and tests/test_sql_macros.py checks that they do. */

-- Luhn key of a string of digits: from the right, every second digit doubled (its digits added),
-- the sum a multiple of 10. try_cast: a stray character gives null, never an error.
create or replace macro cle_luhn_valide(chiffres) as
    list_sum(list_transform(range(length(chiffres)), lambda i:
        case when (length(chiffres) - i) % 2 = 0
             then (try_cast(chiffres[i + 1] as integer) * 2) // 10 + (try_cast(chiffres[i + 1] as integer) * 2) % 10
             else try_cast(chiffres[i + 1] as integer) end)) % 10 = 0;

-- A usable company id: a SIREN (9 digits) or a SIRET (14 digits) whose key is valid, the SIRET's
-- SIREN included. La Poste's establishments are too many for a Luhn key on five NIC digits: Insee
-- accepts SIRETs of the SIREN 356000000 whose digit sum is a multiple of 5. False (never null)
-- for anything else: wrong length, other characters, empty, null.
create or replace macro identifiant_entreprise_valide(chiffres) as
    coalesce(
        regexp_full_match(chiffres, '[0-9]{9}|[0-9]{14}')
        and cle_luhn_valide(left(chiffres, 9))
        and (length(chiffres) = 9
             or cle_luhn_valide(chiffres)
             or (left(chiffres, 9) = '356000000'
                 and list_sum(list_transform(range(14), lambda i: try_cast(chiffres[i + 1] as integer))) % 5 = 0)),
        false);
