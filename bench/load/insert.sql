-- data owner: 20 new linked rows, pseudonymized with the current key of the domain.
SELECT load.add_rows(20);
