/* pseudonym.c: exlink.pseudonymize, keyed HMAC-SHA256 with a per-backend cache of keyed state. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include <openssl/evp.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "compat.h"

/*
 * pseudonymize(id, domain [, version]) = lowercase hex of HMAC-SHA256(key, UTF-8 bytes of id),
 * byte for byte what pgcrypto gives for
 *		encode(hmac(convert_to(id, 'UTF8'), key, 'sha256'), 'hex').
 *
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' = K padded (or hashed, if longer than
 * the block) to one SHA-256 block.  The two key blocks are the same for every ID, so the digest
 * states after absorbing them are computed once per (domain, version) and cached; a call copies
 * them and runs SHA-256 (OpenSSL's libcrypto, as pgcrypto uses) over the ID and the inner digest:
 * two compression functions for an ID of up to 55 bytes, no key lookup.
 *
 * Cache and invalidation.  Entries live in KeyCacheContext (a child of CacheMemoryContext) and
 * hold OpenSSL digest contexts, freed when the cache is reset.  Any change to the key table fires
 * a statement trigger that sends a relcache invalidation of the table (queued with the
 * transaction: delivered to this backend at the end of the command and undone on rollback, and
 * to other backends at commit).  Our relcache callback only bumps key_cache_generation; the
 * cache is emptied at the start of the next call (a callback may run while a call is loading a
 * key, so it must not free anything).  Keys are loaded with a fresh catalog snapshot taken after
 * the invalidations were read, like PostgreSQL's own catalog caches, so a cached entry can never
 * be older than the last invalidation this backend has seen.
 *
 * The table is read directly (table_open and an index scan), without an ACL check: EXECUTE on
 * pseudonymize is the authorization, so the function needs no SECURITY DEFINER and works in
 * parallel workers, which can read the table too.  No key byte and no ID ever enters a message.
 */

#define KEY_TABLE_NAME	"pseudonym_keys"
#define KEY_INDEX_NAME	"pseudonym_keys_pkey"
#define Anum_key_domain		1
#define Anum_key_version	2
#define Anum_key_key		3
#define Anum_key_retired	6

#define SHA256_BLOCK	64
#define SHA256_DIGEST	32
#define PSEUDONYM_HEX	(2 * SHA256_DIGEST)

typedef struct KeyCacheEntry
{
	struct KeyCacheEntry *next;
	char	   *domain;			/* palloc'd in KeyCacheContext, NUL-terminated */
	int			domain_len;
	int32		requested;		/* requested version; 0 = current */
	int32		version;		/* resolved version */
	EVP_MD_CTX *inner;			/* SHA-256 state after (K' ^ ipad) */
	EVP_MD_CTX *outer;			/* SHA-256 state after (K' ^ opad) */
} KeyCacheEntry;

/* What a call site (flinfo->fn_extra) remembers: the entry it used last. */
typedef struct PseudonymCallCache
{
	uint64		generation;
	KeyCacheEntry *entry;
} PseudonymCallCache;

static MemoryContext KeyCacheContext = NULL;
static KeyCacheEntry *key_cache = NULL;
static uint64 key_cache_generation = 1;
static uint64 key_cache_built_generation = 0;	/* generation key_cache belongs to */
static Oid	key_table_oid = InvalidOid;
static bool callback_registered = false;
static EVP_MD_CTX *scratch = NULL;	/* per-call working state, reused */

static void
key_cache_callback(Datum arg, Oid relid)
{
	/* InvalidOid: all relcache entries reset (e.g. sinval queue overflow). */
	if (relid == InvalidOid || relid == key_table_oid)
		key_cache_generation++;
}

/* Free every entry (OpenSSL contexts are malloc'd by OpenSSL, not in a memory context). */
static void
key_cache_reset(void)
{
	KeyCacheEntry *e;

	for (e = key_cache; e != NULL; e = e->next)
	{
		EVP_MD_CTX_free(e->inner);
		EVP_MD_CTX_free(e->outer);
	}
	key_cache = NULL;
	if (KeyCacheContext != NULL)
		MemoryContextReset(KeyCacheContext);
	key_table_oid = InvalidOid;
}

static void
crypto_failed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not compute HMAC-SHA256 with OpenSSL")));
}

/* A digest context holding SHA-256 over one block (K' ^ pad). */
static EVP_MD_CTX *
keyed_state(const unsigned char *kblock, unsigned char pad)
{
	unsigned char block[SHA256_BLOCK];
	EVP_MD_CTX *ctx;
	int			i;

	for (i = 0; i < SHA256_BLOCK; i++)
		block[i] = kblock[i] ^ pad;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
	{
		explicit_bzero(block, sizeof(block));
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		EVP_DigestUpdate(ctx, block, SHA256_BLOCK) != 1)
	{
		explicit_bzero(block, sizeof(block));
		EVP_MD_CTX_free(ctx);
		crypto_failed();
	}
	explicit_bzero(block, sizeof(block));
	return ctx;
}

/*
 * Read the key of (domain, requested) from the table and make a cache entry for it.
 * requested = 0 asks for the current (highest) version.  Errors are user-facing.
 */
static KeyCacheEntry *
key_cache_load(Oid nsp, const char *domain, int domain_len, int32 requested)
{
	Relation	rel;
	Oid			indexoid;
	SysScanDesc scan;
	ScanKeyData skey[2];
	HeapTuple	tup;
	int32		best_version = 0;
	bool		best_retired = false;
	bytea	   *best_key = NULL;
	unsigned char kblock[SHA256_BLOCK];
	KeyCacheEntry *e;
	MemoryContext old;
	text	   *domain_text;
	char	   *domain_c = pnstrdup(domain, domain_len);	/* for messages */

	if (!OidIsValid(key_table_oid))
		key_table_oid = get_relname_relid(KEY_TABLE_NAME, nsp);
	if (!OidIsValid(key_table_oid))
		elog(ERROR, "exlink key table is missing");
	indexoid = get_relname_relid(KEY_INDEX_NAME, nsp);

	domain_text = cstring_to_text_with_len(domain, domain_len);
	rel = table_open(key_table_oid, AccessShareLock);
	/* The attribute numbers above are the table's; an upgrade script must keep them. */
	if (RelationGetDescr(rel)->natts < Anum_key_retired ||
		TupleDescAttr(RelationGetDescr(rel), Anum_key_domain - 1)->atttypid != TEXTOID ||
		TupleDescAttr(RelationGetDescr(rel), Anum_key_version - 1)->atttypid != INT4OID ||
		TupleDescAttr(RelationGetDescr(rel), Anum_key_key - 1)->atttypid != BYTEAOID ||
		TupleDescAttr(RelationGetDescr(rel), Anum_key_retired - 1)->atttypid != TIMESTAMPTZOID)
		elog(ERROR, "exlink key table has an unexpected shape");
	ScanKeyInit(&skey[0], Anum_key_domain, BTEqualStrategyNumber, F_TEXTEQ,
				PointerGetDatum(domain_text));
	if (requested > 0)
		ScanKeyInit(&skey[1], Anum_key_version, BTEqualStrategyNumber, F_INT4EQ,
					Int32GetDatum(requested));
	/* NULL snapshot: a fresh catalog snapshot, taken after the lock read the invalidations. */
	scan = systable_beginscan(rel, indexoid, OidIsValid(indexoid), NULL,
							  requested > 0 ? 2 : 1, skey);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		int32		v;
		Datum		d;

		v = DatumGetInt32(heap_getattr(tup, Anum_key_version, RelationGetDescr(rel), &isnull));
		if (isnull || v <= best_version)
			continue;
		d = heap_getattr(tup, Anum_key_key, RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		if (best_key != NULL)
		{
			explicit_bzero(VARDATA(best_key), VARSIZE(best_key) - VARHDRSZ);
			pfree(best_key);
		}
		best_key = DatumGetByteaPCopy(d);
		best_version = v;
		(void) heap_getattr(tup, Anum_key_retired, RelationGetDescr(rel), &isnull);
		best_retired = !isnull;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (best_key == NULL)
	{
		if (requested > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("pseudonym key version %d of domain \"%s\" does not exist",
							requested, domain_c),
					 errhint("The key custodian lists versions in exlink.pseudonym_keys; exlink.create_key and exlink.rotate_key make them.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("pseudonym domain \"%s\" has no key", domain_c),
				 errhint("The key custodian must call exlink.create_key for this domain first.")));
	}
	if (best_retired)
	{
		explicit_bzero(VARDATA(best_key), VARSIZE(best_key) - VARHDRSZ);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pseudonym key version %d of domain \"%s\" is retired",
						best_version, domain_c),
				 requested > 0 ? 0 :
				 errhint("The key custodian must call exlink.rotate_key to make a new current version.")));
	}

	/* K': the key, or its digest if longer than a block, zero-padded to one block. */
	memset(kblock, 0, sizeof(kblock));
	{
		size_t		klen = VARSIZE(best_key) - VARHDRSZ;

		if (klen > SHA256_BLOCK)
		{
			unsigned int dlen;

			if (EVP_Digest(VARDATA(best_key), klen, kblock, &dlen, EVP_sha256(), NULL) != 1)
			{
				explicit_bzero(VARDATA(best_key), klen);
				crypto_failed();
			}
		}
		else
			memcpy(kblock, VARDATA(best_key), klen);
		explicit_bzero(VARDATA(best_key), klen);
		pfree(best_key);
	}

	old = MemoryContextSwitchTo(KeyCacheContext);
	e = palloc0(sizeof(KeyCacheEntry));
	e->domain = pnstrdup(domain, domain_len);
	e->domain_len = domain_len;
	e->requested = requested;
	e->version = best_version;
	MemoryContextSwitchTo(old);

	PG_TRY();
	{
		e->inner = keyed_state(kblock, 0x36);
		e->outer = keyed_state(kblock, 0x5c);
	}
	PG_CATCH();
	{
		explicit_bzero(kblock, sizeof(kblock));
		if (e->inner)
			EVP_MD_CTX_free(e->inner);
		/* Not yet in the cache list: free it here, or it would live until the next reset. */
		pfree(e->domain);
		pfree(e);
		PG_RE_THROW();
	}
	PG_END_TRY();
	explicit_bzero(kblock, sizeof(kblock));

	e->next = key_cache;
	key_cache = e;
	return e;
}

/* The cache entry for (domain, requested), loading it on a miss. */
static KeyCacheEntry *
key_cache_lookup(Oid nsp, const char *domain, int domain_len, int32 requested)
{
	KeyCacheEntry *e;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(key_cache_callback, (Datum) 0);
		callback_registered = true;
	}
	if (KeyCacheContext == NULL)
		KeyCacheContext = AllocSetContextCreate(CacheMemoryContext, "exlink pseudonym keys",
												ALLOCSET_SMALL_SIZES);

	for (;;)
	{
		uint64		gen;

		if (key_cache_built_generation != key_cache_generation)
		{
			key_cache_reset();
			key_cache_built_generation = key_cache_generation;
		}
		for (e = key_cache; e != NULL; e = e->next)
			if (e->requested == requested && e->domain_len == domain_len &&
				memcmp(e->domain, domain, domain_len) == 0)
				return e;

		gen = key_cache_generation;
		e = key_cache_load(nsp, domain, domain_len, requested);
		/* An invalidation arrived while loading (the lock read it): load again. */
		if (gen == key_cache_generation)
			return e;
	}
}

PG_FUNCTION_INFO_V1(exlink_pseudonymize);
Datum
exlink_pseudonymize(PG_FUNCTION_ARGS)
{
	text	   *id = PG_GETARG_TEXT_PP(0);
	text	   *domain = PG_GETARG_TEXT_PP(1);
	int32		requested = 0;
	PseudonymCallCache *cc = (PseudonymCallCache *) fcinfo->flinfo->fn_extra;
	KeyCacheEntry *e;
	const char *dom = VARDATA_ANY(domain);
	int			dom_len = VARSIZE_ANY_EXHDR(domain);
	const char *msg;
	int			msg_len;
	char	   *utf8;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen;
	text	   *result;
	char	   *out;
	static const char hex[] = "0123456789abcdef";
	int			i;

	if (PG_NARGS() > 2)
	{
		requested = PG_GETARG_INT32(2);
		if (requested < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pseudonym key version must be at least 1")));
	}

	if (cc == NULL)
	{
		cc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PseudonymCallCache));
		fcinfo->flinfo->fn_extra = cc;
		/* A new statement: read rotations other sessions have committed since. */
		AcceptInvalidationMessages();
	}

	/* Fast path: the same domain and version as this call site's previous call. */
	e = cc->entry;
	if (e == NULL || cc->generation != key_cache_generation ||
		key_cache_built_generation != key_cache_generation ||
		e->requested != requested || e->domain_len != dom_len ||
		memcmp(e->domain, dom, dom_len) != 0)
	{
		e = key_cache_lookup(get_func_namespace(fcinfo->flinfo->fn_oid),
							 dom, dom_len, requested);
		cc->entry = e;
		cc->generation = key_cache_generation;
	}

	/* The ID as UTF-8, as convert_to(id, 'UTF8') gives it (no copy in a UTF-8 database). */
	msg_len = VARSIZE_ANY_EXHDR(id);
	utf8 = pg_server_to_any(VARDATA_ANY(id), msg_len, PG_UTF8);
	msg = utf8;
	if (utf8 != VARDATA_ANY(id))
		msg_len = strlen(utf8);

	if (scratch == NULL)
	{
		scratch = EVP_MD_CTX_new();
		if (scratch == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	if (EVP_MD_CTX_copy_ex(scratch, e->inner) != 1 ||
		EVP_DigestUpdate(scratch, msg, msg_len) != 1 ||
		EVP_DigestFinal_ex(scratch, digest, &dlen) != 1 ||
		EVP_MD_CTX_copy_ex(scratch, e->outer) != 1 ||
		EVP_DigestUpdate(scratch, digest, SHA256_DIGEST) != 1 ||
		EVP_DigestFinal_ex(scratch, digest, &dlen) != 1 ||
		dlen != SHA256_DIGEST)
		crypto_failed();

	if (utf8 != VARDATA_ANY(id))
		pfree(utf8);

	result = (text *) palloc(VARHDRSZ + PSEUDONYM_HEX);
	SET_VARSIZE(result, VARHDRSZ + PSEUDONYM_HEX);
	out = VARDATA(result);
	for (i = 0; i < SHA256_DIGEST; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	PG_RETURN_TEXT_P(result);
}

/* Statement trigger on the key table: every session drops its cached keyed state. */
PG_FUNCTION_INFO_V1(exlink_pseudonym_keys_invalidate);
Datum
exlink_pseudonym_keys_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "exlink_pseudonym_keys_invalidate: not called as a trigger");
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
