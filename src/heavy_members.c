/* heavy_members.c: Misra-Gries bound on the largest member's rows (the dominance fact). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "postgres.h"

#include "libpq/pqformat.h"

#include "heavy_members.h"

#define PRESENT_BIT(key) ((int) ((key) >> 56))

static inline bool
heavy_maybe_present(const HeavyMembers *h, uint64 key)
{
	int			b = PRESENT_BIT(key);

	return (h->present[b >> 6] >> (b & 63)) & 1;
}

static inline void
heavy_mark_present(HeavyMembers *h, uint64 key)
{
	int			b = PRESENT_BIT(key);

	h->present[b >> 6] |= UINT64CONST(1) << (b & 63);
}

static void
heavy_rebuild_present(HeavyMembers *h)
{
	memset(h->present, 0, sizeof(h->present));
	for (int32 i = 0; i < h->used; i++)
		heavy_mark_present(h, h->keys[i]);
}

void
HeavyMembersInit(HeavyMembers *h)
{
	h->rows = 0;
	h->decrements = 0;
	h->used = 0;
	h->last = -1;
	memset(h->present, 0, sizeof(h->present));
}

void
HeavyMembersAdd(HeavyMembers *h, uint64 key)
{
	h->rows++;
	/* Rows of one member often come together (sorted input, a member's responses). */
	if (h->last >= 0 && h->keys[h->last] == key)
	{
		h->counts[h->last]++;
		return;
	}
	if (heavy_maybe_present(h, key))
		for (int32 i = 0; i < h->used; i++)
			if (h->keys[i] == key)
			{
				h->counts[i]++;
				h->last = i;
				return;
			}
	if (h->used < HEAVY_SLOTS)
	{
		h->keys[h->used] = key;
		h->counts[h->used] = 1;
		heavy_mark_present(h, key);
		h->last = h->used++;
		return;
	}
	/*
	 * Full: the new row and one row of every kept member cancel (the Misra-Gries step); the
	 * counters that reach zero are dropped and the presence bits rebuilt in the same pass.
	 */
	h->decrements++;
	{
		int32		j = 0;

		memset(h->present, 0, sizeof(h->present));
		for (int32 i = 0; i < h->used; i++)
			if (h->counts[i] > 1)
			{
				h->keys[j] = h->keys[i];
				h->counts[j] = h->counts[i] - 1;
				heavy_mark_present(h, h->keys[j]);
				j++;
			}
		h->used = j;
		h->last = -1;
	}
}

/* Add count rows of key to the counters (merge step; no decrement yet, up to 2 * HEAVY_SLOTS). */
static void
heavy_add_count(uint64 *keys, int64 *counts, int32 *used, uint64 key, int64 count)
{
	for (int32 i = 0; i < *used; i++)
		if (keys[i] == key)
		{
			counts[i] += count;
			return;
		}
	keys[*used] = key;
	counts[*used] = count;
	(*used)++;
}

static int
cmp_count_desc(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? 1 : (x > y ? -1 : 0);
}

void
HeavyMembersMerge(HeavyMembers *dst, const HeavyMembers *src)
{
	uint64		keys[2 * HEAVY_SLOTS];
	int64		counts[2 * HEAVY_SLOTS];
	int32		used = 0;

	for (int32 i = 0; i < dst->used; i++)
		heavy_add_count(keys, counts, &used, dst->keys[i], dst->counts[i]);
	for (int32 i = 0; i < src->used; i++)
		heavy_add_count(keys, counts, &used, src->keys[i], src->counts[i]);
	dst->rows += src->rows;
	dst->decrements += src->decrements;
	if (used > HEAVY_SLOTS)
	{
		int64		sorted[2 * HEAVY_SLOTS];
		int64		t;

		memcpy(sorted, counts, sizeof(int64) * used);
		qsort(sorted, used, sizeof(int64), cmp_count_desc);
		t = sorted[HEAVY_SLOTS];
		for (int32 i = 0; i < used; i++)
			counts[i] -= t;
		dst->decrements += t;
	}
	dst->used = 0;
	for (int32 i = 0; i < used; i++)
		if (counts[i] > 0)
		{
			dst->keys[dst->used] = keys[i];
			dst->counts[dst->used] = counts[i];
			dst->used++;
		}
	Assert(dst->used <= HEAVY_SLOTS);
	dst->last = -1;
	heavy_rebuild_present(dst);
}

double
HeavyMembersShareBound(const HeavyMembers *h)
{
	int64		top = 0;

	if (h->rows <= 0)
		return 0.0;
	for (int32 i = 0; i < h->used; i++)
		top = Max(top, h->counts[i]);
	top += h->decrements;
	return top >= h->rows ? 1.0 : (double) top / (double) h->rows;
}

/* Wire format (inside an aggregate's serialized state only, never a SQL value). */
void
HeavyMembersSerialize(StringInfo buf, const HeavyMembers *h)
{
	pq_sendint64(buf, h->rows);
	pq_sendint64(buf, h->decrements);
	pq_sendint32(buf, h->used);
	for (int32 i = 0; i < h->used; i++)
	{
		pq_sendint64(buf, (int64) h->keys[i]);
		pq_sendint64(buf, h->counts[i]);
	}
}

/*
 * Read back a summary.  The counters are re-added one by one (a repeated key sums, so the bound
 * can only grow); a count or total that cannot come from rows is refused.
 */
void
HeavyMembersDeserialize(StringInfo buf, HeavyMembers *h)
{
	int64		rows = pq_getmsgint64(buf);
	int64		decrements = pq_getmsgint64(buf);
	int32		used = pq_getmsgint(buf, 4);
	int64		total = decrements;

	if (rows < 0 || decrements < 0 || decrements > rows || used < 0 || used > HEAVY_SLOTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid member summary in aggregate state")));
	HeavyMembersInit(h);
	h->rows = rows;
	h->decrements = decrements;
	for (int32 i = 0; i < used; i++)
	{
		uint64		key = (uint64) pq_getmsgint64(buf);
		int64		count = pq_getmsgint64(buf);

		if (count < 1 || count > rows - total)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid member summary in aggregate state")));
		total += count;
		heavy_add_count(h->keys, h->counts, &h->used, key, count);
	}
	heavy_rebuild_present(h);
}
