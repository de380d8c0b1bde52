-- custodian: rotate the linkage key (new rows get the new version's pseudonyms).
SELECT exlink.rotate_key('linkage');
