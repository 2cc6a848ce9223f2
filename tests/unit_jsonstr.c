/* JSON strings from arbitrary bytes: what Redis, a server or the
 * environment hands us must never make a document fail. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>

#include "jsonstr.h"

Test(jsonstr, valid_utf8_passes_through)
{
	json_t	*j = json_text("d\xc3\xa9lai d\xc3\xa9pass\xc3\xa9", 0);

	cr_assert_not_null(j);
	cr_assert_str_eq(json_string_value(j), "d\xc3\xa9lai d\xc3\xa9pass\xc3\xa9");
	json_decref(j);
}

Test(jsonstr, invalid_bytes_become_question_marks)
{
	json_t	*j = json_text("\xff\xfe bad \xc3", 0);

	cr_assert_not_null(j, "json_string would have returned NULL here");
	cr_assert_str_eq(json_string_value(j), "?? bad ?");
	json_decref(j);
}

Test(jsonstr, cut_on_a_character_boundary)
{
	json_t	*j = json_text("ab\xe2\x82\xac", 4);

	cr_assert_str_eq(json_string_value(j), "ab");
	json_decref(j);
}

Test(jsonstr, empty_is_null_and_ms_has_one_decimal)
{
	json_t	*j = json_text_or_null("");
	char	*s;

	cr_assert(json_is_null(j));
	json_decref(j);
	j = json_ms(41.2345);
	s = json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	cr_assert_str_eq(s, "41.2");
	free(s);
	json_decref(j);
}
