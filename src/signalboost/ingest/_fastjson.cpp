// Compiled fast path for the Twitter JSON readers: JSON lines -> Arrow column buffers, no Python object per field.
//
// It mirrors twitter_v1.StatusExtractor and twitter_v2.add_tweet/add_user field for field, with msgspec's rules
// (absent or null is None, a wrong type rejects the record). Anything it does not handle exactly as the Python
// readers would (a wrong type, a missing id, a stream notice, an array or search-response line, invalid JSON) is
// not guessed at: the line's index is returned and the Python reader handles that line, quarantining it if bad.
// Parsing uses simdjson's DOM parser, which validates the whole document (UTF-8 included), like msgspec.

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using std::string_view;

struct Reject {};  // this record goes to the Python reader

struct OStr {
  bool has = false;
  string_view v;
  bool truthy() const { return has && !v.empty(); }
};
struct OInt {
  bool has = false;
  int64_t v = 0;
};
struct OBool {
  bool has = false;
  bool v = false;
};

// Key comparison with the length known at compile time, so the compare is inlined instead of a memcmp call.
template <size_t N>
inline bool is(string_view key, const char (&literal)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

OStr get_str(element e) {
  if (e.is_null()) return {};
  string_view s;
  if (e.get_string().get(s)) throw Reject{};
  return {true, s};
}
OInt get_int(element e) {
  if (e.is_null()) return {};
  int64_t x;
  if (e.get_int64().get(x)) throw Reject{};
  return {true, x};
}
OBool get_bool(element e) {
  if (e.is_null()) return {};
  bool x;
  if (e.get_bool().get(x)) throw Reject{};
  return {true, x};
}
object get_obj(element e) {
  object o;
  if (e.get_object().get(o)) throw Reject{};
  return o;
}
array get_arr(element e) {  // for list fields with a [] default: null is a validation error in msgspec
  array a;
  if (e.get_array().get(a)) throw Reject{};
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps. Only the plain, common shapes are parsed here; anything else (other offsets, odd fractions, a date
// that does not exist) is passed on as text for Arrow's parser (batch.to_timestamp), so both agree by design.

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // Howard Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(string_view s, size_t at, size_t count, int& out) {
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid_date(int year, int month, int day) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[month - 1] + (month == 2 && leap);
}

bool epoch_ms(int year, int month, int day, int hour, int minute, int second, int ms, int64_t& out) {
  if (!valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59) return false;
  out = ((days_from_civil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  out = out * 1000 + ms;
  return true;
}

constexpr uint32_t three(const char* s) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[0])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 8 | static_cast<unsigned char>(s[2]);
}

int month_number(string_view name) {  // 1-12, or 0 when not an English month abbreviation
  switch (three(name.data())) {
    case three("Jan"): return 1;
    case three("Feb"): return 2;
    case three("Mar"): return 3;
    case three("Apr"): return 4;
    case three("May"): return 5;
    case three("Jun"): return 6;
    case three("Jul"): return 7;
    case three("Aug"): return 8;
    case three("Sep"): return 9;
    case three("Oct"): return 10;
    case three("Nov"): return 11;
    case three("Dec"): return 12;
    default: return 0;
  }
}

bool is_weekday(string_view name) {
  switch (three(name.data())) {
    case three("Mon"): case three("Tue"): case three("Wed"): case three("Thu"): case three("Fri"):
    case three("Sat"): case three("Sun"): return true;
    default: return false;
  }
}

// "Wed May 03 21:15:30 +0000 2017"
bool parse_v1_time(string_view s, int64_t& out) {
  if (s.size() != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != ' ' ||
      std::memcmp(s.data() + 20, "+0000 ", 6) != 0)
    return false;
  int month = month_number(s.substr(4, 3));
  int day, hour, minute, second, year;
  if (!is_weekday(s.substr(0, 3)) || !month || !digits(s, 8, 2, day) || !digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) ||
      !digits(s, 17, 2, second) || !digits(s, 26, 4, year))
    return false;
  return epoch_ms(year, month, day, hour, minute, second, 0, out);
}

// "2017-05-05T18:00:00.000Z", "…:00Z", and twarc's "2017-05-05T18:00:04.950000+00:00": 0, 3 or 6 fraction
// digits (6 are cut to milliseconds, as batch._iso does), then Z or an offset ±HH:MM.
bool parse_iso_time(string_view s, int64_t& out) {
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
  int year, month, day, hour, minute, second, ms = 0;
  if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) || !digits(s, 11, 2, hour) ||
      !digits(s, 14, 2, minute) || !digits(s, 17, 2, second))
    return false;
  size_t at = 19;
  if (s[at] == '.') {
    size_t end = at + 1;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    size_t count = end - at - 1;
    if ((count != 3 && count != 6) || !digits(s, at + 1, 3, ms)) return false;
    at = end;
  }
  int offset_minutes = 0;
  if (s.size() == at + 1 && s[at] == 'Z') {
  } else if (s.size() == at + 6 && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int oh, om;
    if (!digits(s, at + 1, 2, oh) || !digits(s, at + 4, 2, om) || oh > 23 || om > 59) return false;
    offset_minutes = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return false;
  }
  if (!epoch_ms(year, month, day, hour, minute, second, ms, out)) return false;
  out -= static_cast<int64_t>(offset_minutes) * 60000;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Column buffers in Arrow's layout.

struct Column {
  enum Kind { STR, I64, I32, BOOL };
  Kind kind;
  std::string name;
  std::vector<int32_t> offsets{0};
  std::string data;
  std::vector<int64_t> i64;
  std::vector<int32_t> i32;
  std::vector<uint8_t> b;
  std::vector<uint8_t> valid;

  Column(Kind k, std::string n) : kind(k), name(std::move(n)) {}
  size_t size() const { return valid.size(); }
  void null() {
    valid.push_back(0);
    switch (kind) {
      case STR: offsets.push_back(static_cast<int32_t>(data.size())); break;
      case I64: i64.push_back(0); break;
      case I32: i32.push_back(0); break;
      case BOOL: b.push_back(0); break;
    }
  }
  void str(string_view s) {
    data.append(s.data(), s.size());
    if (data.size() > INT32_MAX) throw std::length_error("string column over 2 GB in one batch");
    offsets.push_back(static_cast<int32_t>(data.size()));
    valid.push_back(1);
  }
  void str(const OStr& s) { s.has ? str(s.v) : null(); }
  void str_or_none(const OStr& s) { s.truthy() ? str(s.v) : null(); }  // Python's `value or None`
  void int64(const OInt& x) {
    if (!x.has) return null();
    i64.push_back(x.v);
    valid.push_back(1);
  }
  void int32(int32_t x) {
    i32.push_back(x);
    valid.push_back(1);
  }
  void boolean(const OBool& x) {
    if (!x.has) return null();
    b.push_back(x.v ? 1 : 0);
    valid.push_back(1);
  }
  void boolean(bool x) { boolean(OBool{true, x}); }
  void reserve(size_t n) {  // a chunk's size bounds its rows; growing by doubling would copy each buffer again
    valid.reserve(n);
    switch (kind) {
      case STR: offsets.reserve(n + 1); break;
      case I64: i64.reserve(n); break;
      case I32: i32.reserve(n); break;
      case BOOL: b.reserve(n); break;
    }
  }
  void truncate(size_t n) {
    valid.resize(n);
    switch (kind) {
      case STR: data.resize(offsets[n]); offsets.resize(n + 1); break;
      case I64: i64.resize(n); break;
      case I32: i32.resize(n); break;
      case BOOL: b.resize(n); break;
    }
  }
};

// A timestamp: epoch ms where parsed here, else the text (for Arrow) in a companion column "<name>~text".
struct TimeColumn {
  Column& ms;
  Column& text;
  bool v1_format;
  void time(const OStr& s) {
    int64_t value;
    if (s.has && (v1_format ? parse_v1_time(s.v, value) : parse_iso_time(s.v, value))) {
      ms.int64(OInt{true, value});
      text.null();
    } else {
      ms.null();
      text.str(s);
    }
  }
};

struct Table {
  std::string name;
  std::vector<std::unique_ptr<Column>> columns;
  explicit Table(std::string n) : name(std::move(n)) {}
  Column& add(Column::Kind kind, const char* column) {
    columns.push_back(std::make_unique<Column>(kind, column));
    return *columns.back();
  }
  TimeColumn add_time(const char* column, bool v1_format) {
    Column& ms = add(Column::I64, column);
    Column& text = add(Column::STR, (std::string(column) + "~text").c_str());
    return {ms, text, v1_format};
  }
  size_t size() const { return columns.empty() ? 0 : columns[0]->size(); }
  void reserve(size_t n) {
    for (auto& c : columns) c->reserve(n);
  }
  void truncate(size_t n) {
    for (auto& c : columns) c->truncate(n);
  }
};

std::string pack_bits(const std::vector<uint8_t>& flags) {
  std::string bits((flags.size() + 7) / 8, '\0');
  for (size_t i = 0; i < flags.size(); ++i)
    if (flags[i]) bits[i >> 3] |= static_cast<char>(1u << (i & 7));
  return bits;
}

// A read-only Python buffer that owns a column's container, so that Arrow wraps the memory without a copy.
struct OwnedBuffer {
  PyObject_HEAD
  void* storage;
  void (*destroy)(void*);
  const void* data;
  Py_ssize_t size;
};

int owned_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  auto* owned = reinterpret_cast<OwnedBuffer*>(self);
  return PyBuffer_FillInfo(view, self, const_cast<void*>(owned->data), owned->size, 1, flags);
}

void owned_dealloc(PyObject* self) {
  auto* owned = reinterpret_cast<OwnedBuffer*>(self);
  owned->destroy(owned->storage);
  PyObject_Free(self);
}

PyBufferProcs owned_buffer_procs = {owned_getbuffer, nullptr};

PyTypeObject OwnedBufferType = [] {
  PyTypeObject type{PyVarObject_HEAD_INIT(nullptr, 0)};
  type.tp_name = "signalboost.ingest._fastjson.OwnedBuffer";
  type.tp_basicsize = sizeof(OwnedBuffer);
  type.tp_dealloc = owned_dealloc;
  type.tp_as_buffer = &owned_buffer_procs;
  type.tp_flags = Py_TPFLAGS_DEFAULT;
  type.tp_doc = "column memory handed to Arrow";
  return type;
}();

template <typename Container>
PyObject* owned(Container&& container) {
  if (container.empty()) return PyBytes_FromStringAndSize("", 0);
  auto* heap = new Container(std::move(container));
  auto* self = PyObject_New(OwnedBuffer, &OwnedBufferType);
  if (!self) {
    delete heap;
    return nullptr;
  }
  self->storage = heap;
  self->destroy = [](void* storage) { delete static_cast<Container*>(storage); };
  self->data = heap->data();
  self->size = static_cast<Py_ssize_t>(heap->size() * sizeof(typename Container::value_type));
  return reinterpret_cast<PyObject*>(self);
}

// {column: (kind, length, null_count, validity bitmap | None, offsets | None, data)}
PyObject* table_to_python(Table& table) {
  PyObject* out = PyDict_New();
  if (!out) return nullptr;
  static const char* kinds[] = {"string", "int64", "int32", "bool"};
  for (const auto& c : table.columns) {
    size_t n = c->size();
    size_t nulls = 0;
    for (uint8_t v : c->valid) nulls += v == 0;
    PyObject* validity = nulls ? owned(pack_bits(c->valid)) : (Py_INCREF(Py_None), Py_None);
    PyObject* offsets = Py_None;
    PyObject* data = nullptr;
    switch (c->kind) {
      case Column::STR:
        offsets = owned(std::move(c->offsets));
        data = owned(std::move(c->data));
        break;
      case Column::I64: Py_INCREF(Py_None); data = owned(std::move(c->i64)); break;
      case Column::I32: Py_INCREF(Py_None); data = owned(std::move(c->i32)); break;
      case Column::BOOL: Py_INCREF(Py_None); data = owned(pack_bits(c->b)); break;
    }
    PyObject* entry = Py_BuildValue("(snnNNN)", kinds[c->kind], static_cast<Py_ssize_t>(n),
                                    static_cast<Py_ssize_t>(nulls), validity, offsets, data);
    if (!entry || PyDict_SetItemString(out, c->name.c_str(), entry) < 0) {
      Py_XDECREF(entry);
      Py_DECREF(out);
      return nullptr;
    }
    Py_DECREF(entry);
  }
  return out;
}

// The canonical tables' columns that the compiled path fills; platform, derived columns (normalised URL, folded
// tag, v1 source client) and columns Twitter never has are added in Python (ingest/fast.py).
struct TwitterTables {
  Table accounts{"accounts"}, posts{"posts"}, interactions{"interactions"}, urls{"urls"}, hashtags{"hashtags"};
  bool v1_times;
  Column &a_id, &a_username, &a_name, &a_description, &a_location, &a_url, &a_verified, &a_protected,
      &a_followers, &a_following, &a_statuses, &a_favourites, &a_listed, &a_default_profile, &a_default_image,
      &a_lang;
  TimeColumn a_created, a_snapshot;
  Column &p_id, &p_account, &p_username, &p_text, &p_lang, &p_kind, &p_rt_post, &p_rt_account,
      &p_q_post, &p_q_account, &p_r_post, &p_r_account, &p_conversation, &p_source, &p_retweets, &p_replies,
      &p_likes, &p_quotes, &p_withheld, &p_in_collection;
  TimeColumn p_created, p_snapshot;
  Column &i_post, &i_kind, &i_position, &i_source, &i_target, &i_target_username, &i_target_post;
  TimeColumn i_created;
  Column &u_post, &u_position, &u_url, &u_expanded, &u_link;
  Column &h_post, &h_position, &h_tag;
  std::map<std::string, long> notes;

  using K = Column;
  explicit TwitterTables(bool v1_format)
      : v1_times(v1_format), a_id(accounts.add(K::STR, "account_id")), a_username(accounts.add(K::STR, "username")),
        a_name(accounts.add(K::STR, "display_name")),
        a_description(accounts.add(K::STR, "description")), a_location(accounts.add(K::STR, "location")),
        a_url(accounts.add(K::STR, "url")), a_verified(accounts.add(K::BOOL, "verified")),
        a_protected(accounts.add(K::BOOL, "protected")), a_followers(accounts.add(K::I64, "followers")),
        a_following(accounts.add(K::I64, "following")), a_statuses(accounts.add(K::I64, "statuses")),
        a_favourites(accounts.add(K::I64, "favourites")), a_listed(accounts.add(K::I64, "listed")),
        a_default_profile(accounts.add(K::BOOL, "default_profile")),
        a_default_image(accounts.add(K::BOOL, "default_profile_image")), a_lang(accounts.add(K::STR, "lang")),
        a_created(accounts.add_time("created_at", v1_format)), a_snapshot(accounts.add_time("snapshot_at", v1_format)),
        p_id(posts.add(K::STR, "post_id")), p_account(posts.add(K::STR, "account_id")),
        p_username(posts.add(K::STR, "username")),
        p_text(posts.add(K::STR, "text")), p_lang(posts.add(K::STR, "lang")), p_kind(posts.add(K::STR, "kind")),
        p_rt_post(posts.add(K::STR, "retweeted_post_id")), p_rt_account(posts.add(K::STR, "retweeted_account_id")),
        p_q_post(posts.add(K::STR, "quoted_post_id")), p_q_account(posts.add(K::STR, "quoted_account_id")),
        p_r_post(posts.add(K::STR, "replied_post_id")), p_r_account(posts.add(K::STR, "replied_account_id")),
        p_conversation(posts.add(K::STR, "conversation_id")), p_source(posts.add(K::STR, "source")),
        p_retweets(posts.add(K::I64, "retweet_count")), p_replies(posts.add(K::I64, "reply_count")),
        p_likes(posts.add(K::I64, "like_count")), p_quotes(posts.add(K::I64, "quote_count")),
        p_withheld(posts.add(K::BOOL, "withheld")), p_in_collection(posts.add(K::BOOL, "in_collection")),
        p_created(posts.add_time("created_at", v1_format)), p_snapshot(posts.add_time("snapshot_at", v1_format)),
        i_post(interactions.add(K::STR, "post_id")), i_kind(interactions.add(K::STR, "kind")),
        i_position(interactions.add(K::I32, "position")), i_source(interactions.add(K::STR, "source_account_id")),
        i_target(interactions.add(K::STR, "target_account_id")),
        i_target_username(interactions.add(K::STR, "target_username")),
        i_target_post(interactions.add(K::STR, "target_post_id")),
        i_created(interactions.add_time("created_at", v1_format)),
        u_post(urls.add(K::STR, "post_id")), u_position(urls.add(K::I32, "position")), u_url(urls.add(K::STR, "url")),
        u_expanded(urls.add(K::STR, "expanded_url")), u_link(urls.add(K::STR, "link")),
        h_post(hashtags.add(K::STR, "post_id")), h_position(hashtags.add(K::I32, "position")),
        h_tag(hashtags.add(K::STR, "tag")) {}

  Table* all[5] = {&accounts, &posts, &interactions, &urls, &hashtags};

  // Notes of the line being read; they join `notes` only when the line is taken.
  std::map<std::string, long> line_notes;

  struct Mark {
    size_t sizes[5];
  };
  Mark mark() {
    Mark m;
    for (int t = 0; t < 5; ++t) m.sizes[t] = all[t]->size();
    line_notes.clear();
    return m;
  }
  void commit_line() {
    for (const auto& [note, n] : line_notes) notes[note] += n;
    line_notes.clear();
  }
  void rollback(const Mark& m) {
    for (int t = 0; t < 5; ++t) all[t]->truncate(m.sizes[t]);
    line_notes.clear();
  }

  void interaction(const OStr& post, const char* kind, int32_t position, const OStr& source, const OStr& target,
                   const OStr& target_username, const OStr& target_post, const OStr& created) {
    i_post.str(post);
    i_kind.str(string_view(kind));
    i_position.int32(position);
    i_source.str(source);
    i_target.str(target);
    i_target_username.str(target_username);
    i_target_post.str(target_post);
    i_created.time(created);
  }
  void url(const OStr& post, int32_t position, const OStr& raw, const OStr& expanded, const OStr& link) {
    u_post.str(post);
    u_position.int32(position);
    u_url.str(raw);
    u_expanded.str(expanded);
    u_link.str(link);
  }
  void hashtag(const OStr& post, int32_t position, const OStr& tag) {
    h_post.str(post);
    h_position.int32(position);
    h_tag.str(tag);
  }

  PyObject* to_python() {
    PyObject* out = PyDict_New();
    if (!out) return nullptr;
    for (Table* t : all) {
      PyObject* columns = table_to_python(*t);
      if (!columns || PyDict_SetItemString(out, t->name.c_str(), columns) < 0) {
        Py_XDECREF(columns);
        Py_DECREF(out);
        return nullptr;
      }
      Py_DECREF(columns);
    }
    return out;
  }
};

// Strings made here (ids written as numbers) live until the end of the batch.
struct Arena {
  std::deque<std::string> strings;
  OStr keep(std::string s) {
    strings.push_back(std::move(s));
    return {true, strings.back()};
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Twitter v1.1 (twitter_v1.py: Status, User, StatusExtractor).

struct V1Mention {
  OStr id_str, screen_name;
  OInt id;
};
struct V1Url {
  OStr url, expanded_url;
};
struct V1Entities {
  std::vector<OStr> hashtags;
  std::vector<V1Mention> mentions;
  std::vector<V1Url> urls;
};

void decode_v1_entities(element e, V1Entities& out) {
  for (auto field : get_obj(e)) {
    string_view k = field.key;
    if (is(k, "hashtags")) {
      for (element item : get_arr(field.value)) {
        OStr text;
        for (auto f : get_obj(item))
          if (is(f.key, "text")) text = get_str(f.value);
        out.hashtags.push_back(text);
      }
    } else if (is(k, "user_mentions")) {
      for (element item : get_arr(field.value)) {
        V1Mention m;
        for (auto f : get_obj(item)) {
          if (is(f.key, "id_str")) m.id_str = get_str(f.value);
          else if (is(f.key, "id")) m.id = get_int(f.value);
          else if (is(f.key, "screen_name")) m.screen_name = get_str(f.value);
        }
        out.mentions.push_back(m);
      }
    } else if (is(k, "urls")) {
      for (element item : get_arr(field.value)) {
        V1Url u;
        for (auto f : get_obj(item)) {
          if (is(f.key, "url")) u.url = get_str(f.value);
          else if (is(f.key, "expanded_url")) u.expanded_url = get_str(f.value);
        }
        out.urls.push_back(u);
      }
    }
  }
}

struct V1Status {
  OStr id_str, created_at, text, full_text, ext_full_text, quoted_status_id_str, reply_post, reply_user,
      reply_screen_name, lang, source;
  OInt id, retweet_count, favorite_count, reply_count, quote_count;
  bool has_ext = false, has_ext_entities = false, has_entities = false, has_user = false;
  V1Entities ext_entities, entities;
  element user;
  std::unique_ptr<V1Status> retweeted, quoted;
  bool withheld_countries = false;
  OBool withheld_copyright;
};

void decode_v1_status(element e, V1Status& s) {
  for (auto field : get_obj(e)) {
    string_view k = field.key;
    element v = field.value;
    switch (k.size()) {  // a first cut on length keeps the comparisons per key to one or two
      case 2:
        if (is(k, "id")) s.id = get_int(v);
        break;
      case 4:
        if (is(k, "text")) s.text = get_str(v);
        else if (is(k, "user")) {
          if (!v.is_null()) {
            get_obj(v);
            s.has_user = true;
            s.user = v;
          }
        } else if (is(k, "lang")) s.lang = get_str(v);
        break;
      case 6:
        if (is(k, "id_str")) s.id_str = get_str(v);
        else if (is(k, "source")) s.source = get_str(v);
        break;
      case 8:
        if (is(k, "entities") && !v.is_null()) {
          s.has_entities = true;
          decode_v1_entities(v, s.entities);
        }
        break;
      case 9:
        if (is(k, "full_text")) s.full_text = get_str(v);
        break;
      case 10:
        if (is(k, "created_at")) s.created_at = get_str(v);
        break;
      case 11:
        if (is(k, "reply_count")) s.reply_count = get_int(v);
        else if (is(k, "quote_count")) s.quote_count = get_int(v);
        break;
      case 13:
        if (is(k, "retweet_count")) s.retweet_count = get_int(v);
        else if (is(k, "quoted_status") && !v.is_null()) {
          s.quoted = std::make_unique<V1Status>();
          decode_v1_status(v, *s.quoted);
        }
        break;
      case 14:
        if (is(k, "extended_tweet") && !v.is_null()) {
          s.has_ext = true;
          for (auto f : get_obj(v)) {
            if (is(f.key, "full_text")) s.ext_full_text = get_str(f.value);
            else if (is(f.key, "entities") && !f.value.is_null()) {
              s.has_ext_entities = true;
              decode_v1_entities(f.value, s.ext_entities);
            }
          }
        } else if (is(k, "favorite_count")) s.favorite_count = get_int(v);
        break;
      case 15:
        if (is(k, "is_quote_status")) get_bool(v);
        break;
      case 16:
        if (is(k, "retweeted_status") && !v.is_null()) {
          s.retweeted = std::make_unique<V1Status>();
          decode_v1_status(v, *s.retweeted);
        }
        break;
      case 18:
        if (is(k, "withheld_copyright")) s.withheld_copyright = get_bool(v);
        break;
      case 20:
        if (is(k, "quoted_status_id_str")) s.quoted_status_id_str = get_str(v);
        break;
      case 21:
        if (is(k, "withheld_in_countries") && !v.is_null()) {
          for (element c : get_arr(v)) {
            get_str(c);
            if (c.is_null()) throw Reject{};  // list[str]: null items are invalid
            s.withheld_countries = true;
          }
        }
        break;
      case 23:
        if (is(k, "in_reply_to_user_id_str")) s.reply_user = get_str(v);
        else if (is(k, "in_reply_to_screen_name")) s.reply_screen_name = get_str(v);
        break;
      case 25:
        if (is(k, "in_reply_to_status_id_str")) s.reply_post = get_str(v);
        break;
    }
  }
}

// twitter_v1.sortable_time: "Wed May 03 21:15:30 +0000 2017" -> "2017050321153000"-like 16 characters, or ""
// when shorter than 30; compared as Python compares the strings.
struct Sortable {
  size_t size = 0;
  char text[16];
  bool operator>(const Sortable& other) const {
    int order = std::memcmp(text, other.text, std::min(size, other.size));
    return order > 0 || (order == 0 && size > other.size);
  }
};

Sortable sortable_time(const OStr& t) {
  Sortable out;
  if (!t.has) return out;
  // Python slices code points; Twitter's times are ASCII, and others go to the Python reader.
  for (unsigned char ch : t.v)
    if (ch >= 0x80) throw Reject{};
  if (t.v.size() < 30) return out;
  int number = month_number(t.v.substr(4, 3));
  char month[2] = {static_cast<char>('0' + number / 10), static_cast<char>('0' + number % 10)};
  std::memcpy(out.text, t.v.data() + 26, 4);
  std::memcpy(out.text + 4, month, 2);
  std::memcpy(out.text + 6, t.v.data() + 8, 2);
  std::memcpy(out.text + 8, t.v.data() + 11, 8);
  out.size = 16;
  return out;
}

struct V1Profile {
  std::string id, screen_name, name, created_at, description, location, url, lang;
  bool has_screen_name, has_name, has_created_at, has_url, has_lang;
  OBool verified, protected_, default_profile, default_image;
  OInt followers, friends, statuses, favourites, listed;
  Sortable sortable_snapshot;
  std::string snapshot;
  bool has_snapshot = false;
  uint64_t hash = 0;
  bool indexed = false;
};

struct SnapshotChange {  // applied when the line is done, so that a rejected line leaves no trace
  V1Profile* profile;
  Sortable sortable_snapshot;
  string_view snapshot;
};

struct V1Extractor {
  TwitterTables& out;
  Arena& arena;
  // One row per distinct profile per batch, with the latest snapshot seen (StatusExtractor.user).
  std::unordered_map<uint64_t, size_t> profile_index;
  std::vector<std::unique_ptr<V1Profile>> profiles;
  std::vector<SnapshotChange> changes;  // since the start of the current line

  void begin_line() { changes.clear(); }
  void end_line() {
    for (const auto& change : changes) {
      change.profile->sortable_snapshot = change.sortable_snapshot;
      change.profile->snapshot.assign(change.snapshot);
      change.profile->has_snapshot = true;
    }
    changes.clear();
  }
  void undo_line(size_t profiles_before) {
    changes.clear();
    while (profiles.size() > profiles_before) {
      if (profiles.back()->indexed) profile_index.erase(profiles.back()->hash);
      profiles.pop_back();
    }
  }

  OStr id_of(const OStr& id_str, const OInt& id) {
    if (id_str.truthy()) return id_str;
    if (id.has) return arena.keep(std::to_string(id.v));
    return {};
  }

  // Returns the profile, registering it or updating its snapshot.
  V1Profile& profile(element user, const OStr& snapshot) {
    OStr id_str, screen_name, name, created_at, description, location, url, lang;
    OInt id, followers, friends, statuses, favourites, listed;
    OBool verified, protected_, default_profile, default_image;
    for (auto f : get_obj(user)) {
      string_view k = f.key;
      element v = f.value;
      switch (k.size()) {  // one or two comparisons per key instead of a chain of nineteen
        case 2: if (is(k, "id")) id = get_int(v); break;
        case 3: if (is(k, "url")) url = get_str(v); break;
        case 4:
          if (is(k, "name")) name = get_str(v);
          else if (is(k, "lang")) lang = get_str(v);
          else if (is(k, "text")) get_str(v);
          break;
        case 6: if (is(k, "id_str")) id_str = get_str(v); break;
        case 8:
          if (is(k, "verified")) verified = get_bool(v);
          else if (is(k, "location")) location = get_str(v);
          break;
        case 9: if (is(k, "protected")) protected_ = get_bool(v); break;
        case 10: if (is(k, "created_at")) created_at = get_str(v); break;
        case 11:
          if (is(k, "screen_name")) screen_name = get_str(v);
          else if (is(k, "description")) description = get_str(v);
          break;
        case 12: if (is(k, "listed_count")) listed = get_int(v); break;
        case 13: if (is(k, "friends_count")) friends = get_int(v); break;
        case 14: if (is(k, "statuses_count")) statuses = get_int(v); break;
        case 15:
          if (is(k, "followers_count")) followers = get_int(v);
          else if (is(k, "default_profile")) default_profile = get_bool(v);
          break;
        case 16: if (is(k, "favourites_count")) favourites = get_int(v); break;
        case 21: if (is(k, "default_profile_image")) default_image = get_bool(v); break;
      }
    }
    OStr account_id = id_of(id_str, id);
    if (!account_id.has) throw Reject{};
    const OStr* strings[] = {&account_id, &screen_name, &name, &created_at, &description, &location, &url, &lang};
    const OInt* ints[] = {&followers, &friends, &statuses, &favourites, &listed};
    const OBool* bools[] = {&verified, &protected_, &default_profile, &default_image};
    uint64_t hash = 0x84222325cbf29ce4ULL;
    auto mix = [&hash](uint64_t x) { hash ^= x + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2); };
    for (const OStr* x : strings) mix(x->has ? std::hash<string_view>{}(x->v) : 0x5bd1e995ULL);
    for (const OInt* x : ints) mix(x->has ? static_cast<uint64_t>(x->v) * 0x100000001b3ULL : 0xc2b2ae35ULL);
    for (const OBool* x : bools) mix(x->has ? 2u + x->v : 7u);
    auto found = profile_index.find(hash);
    bool collision = false;
    if (found != profile_index.end()) {
      V1Profile& seen = *profiles[found->second];
      const std::string* stored[] = {&seen.id, &seen.screen_name, &seen.name, &seen.created_at, &seen.description,
                                     &seen.location, &seen.url, &seen.lang};
      const bool has[] = {true, seen.has_screen_name, seen.has_name, seen.has_created_at, true, true, seen.has_url,
                          seen.has_lang};
      const OInt* seen_ints[] = {&seen.followers, &seen.friends, &seen.statuses, &seen.favourites, &seen.listed};
      const OBool* seen_bools[] = {&seen.verified, &seen.protected_, &seen.default_profile, &seen.default_image};
      bool same = true;
      for (int i = 0; i < 8 && same; ++i)
        same = (i == 4 || i == 5) ? strings[i]->v == *stored[i] : (strings[i]->has == has[i] && strings[i]->v == *stored[i]);
      for (int i = 0; i < 5 && same; ++i) same = ints[i]->has == seen_ints[i]->has && ints[i]->v == seen_ints[i]->v;
      for (int i = 0; i < 4 && same; ++i) same = bools[i]->has == seen_bools[i]->has && bools[i]->v == seen_bools[i]->v;
      if (same) {
        if (snapshot.has && (!seen.has_snapshot || snapshot.v != seen.snapshot)) {
          Sortable sortable = sortable_time(snapshot);
          if (sortable > seen.sortable_snapshot) changes.push_back({&seen, sortable, snapshot.v});
        }
        return seen;
      }
      collision = true;  // a different profile with the same hash: written as a row of its own, never merged
    }
    auto p = std::make_unique<V1Profile>();
    p->id.assign(account_id.v);
    p->has_screen_name = screen_name.has;
    p->screen_name.assign(screen_name.v);
    p->has_name = name.has;
    p->name.assign(name.v);
    p->has_created_at = created_at.has;
    p->created_at.assign(created_at.v);
    p->description.assign(description.v);  // empty means None (`description or None`)
    p->location.assign(location.v);
    p->has_url = url.has;
    p->url.assign(url.v);
    p->has_lang = lang.has;
    p->lang.assign(lang.v);
    p->verified = verified;
    p->protected_ = protected_;
    p->default_profile = default_profile;
    p->default_image = default_image;
    p->followers = followers;
    p->friends = friends;
    p->statuses = statuses;
    p->favourites = favourites;
    p->listed = listed;
    p->sortable_snapshot = sortable_time(snapshot);
    p->has_snapshot = snapshot.has;
    p->snapshot.assign(snapshot.v);
    p->hash = hash;
    p->indexed = !collision;
    if (!collision) profile_index.emplace(hash, profiles.size());
    profiles.push_back(std::move(p));
    return *profiles.back();
  }

  static OStr view(bool has, const std::string& s) { return {has, s}; }

  void flush_profiles() {
    for (const auto& p : profiles) {
      out.a_id.str(p->id);
      out.a_username.str(view(p->has_screen_name, p->screen_name));
      out.a_name.str(view(p->has_name, p->name));
      out.a_created.time(view(p->has_created_at, p->created_at));
      out.a_description.str_or_none(view(true, p->description));
      out.a_location.str_or_none(view(true, p->location));
      out.a_url.str(view(p->has_url, p->url));
      out.a_verified.boolean(p->verified);
      out.a_protected.boolean(p->protected_);
      out.a_followers.int64(p->followers);
      out.a_following.int64(p->friends);
      out.a_statuses.int64(p->statuses);
      out.a_favourites.int64(p->favourites);
      out.a_listed.int64(p->listed);
      out.a_default_profile.boolean(p->default_profile);
      out.a_default_image.boolean(p->default_image);
      out.a_lang.str(view(p->has_lang, p->lang));
      out.a_snapshot.time(view(p->has_snapshot, p->snapshot));
    }
    profiles.clear();
    profile_index.clear();
  }

  // StatusExtractor.status: rows for one status and every status embedded in it; returns (post id, account id).
  std::pair<OStr, OStr> status(const V1Status& s, bool in_collection, OStr snapshot) {
    OStr post_id = id_of(s.id_str, s.id);
    if (!post_id.has) throw Reject{};
    const OStr& created_at = s.created_at;
    if (!snapshot.has) snapshot = created_at;
    OStr account_id, username;
    if (s.has_user) {
      V1Profile& p = profile(s.user, snapshot);
      account_id = {true, p.id};
      username = view(p.has_screen_name, p.screen_name);
    }
    const OStr& text = s.full_text.truthy() ? s.full_text : (s.has_ext && s.ext_full_text.truthy() ? s.ext_full_text : s.text);
    const V1Entities* entities = s.has_ext && s.has_ext_entities ? &s.ext_entities : (s.has_entities ? &s.entities : nullptr);

    OStr retweeted_post, retweeted_account, quoted_post, quoted_account;
    const char* kind = "original";
    if (s.retweeted) {
      auto [rp, ra] = status(*s.retweeted, false, snapshot);
      retweeted_post = rp;
      retweeted_account = ra;
      kind = "retweet";
      out.interaction(post_id, "retweet", 0, account_id, retweeted_account, username_of(*s.retweeted, snapshot),
                      retweeted_post, created_at);
    } else {
      if (s.quoted) {
        auto [qp, qa] = status(*s.quoted, false, snapshot);
        quoted_post = qp;
        quoted_account = qa;
      } else if (s.quoted_status_id_str.truthy()) {
        quoted_post = s.quoted_status_id_str;
      }
      if (quoted_post.has) {
        kind = "quote";
        out.interaction(post_id, "quote", 0, account_id, quoted_account,
                        s.quoted ? username_of(*s.quoted, snapshot) : OStr{}, quoted_post, created_at);
      }
    }
    if (s.reply_post.truthy() || s.reply_user.truthy()) {
      if (std::strcmp(kind, "original") == 0) kind = "reply";
      out.interaction(post_id, "reply", 0, account_id, s.reply_user, s.reply_screen_name, s.reply_post, created_at);
    }
    if (entities) {
      int32_t position = 0;
      for (const auto& m : entities->mentions)
        out.interaction(post_id, "mention", position++, account_id, id_of(m.id_str, m.id), m.screen_name, OStr{},
                        created_at);
      position = 0;
      for (const auto& u : entities->urls) {
        const OStr& raw = u.url.truthy() ? u.url : u.expanded_url;
        if (raw.truthy()) out.url(post_id, position, raw, u.expanded_url, u.expanded_url.truthy() ? u.expanded_url : raw);
        ++position;
      }
      position = 0;
      for (const auto& tag : entities->hashtags) {
        if (tag.truthy()) out.hashtag(post_id, position, tag);
        ++position;
      }
    }
    bool withheld = s.withheld_countries || (s.withheld_copyright.has && s.withheld_copyright.v);
    out.p_id.str(post_id);
    out.p_account.str(account_id);
    out.p_username.str(username);
    out.p_created.time(created_at);
    out.p_text.str(text);
    out.p_lang.str(s.lang);
    out.p_kind.str(string_view(kind));
    out.p_rt_post.str(retweeted_post);
    out.p_rt_account.str(retweeted_account);
    out.p_q_post.str(quoted_post);
    out.p_q_account.str(quoted_account);
    out.p_r_post.str(s.reply_post);
    out.p_r_account.str(s.reply_user);
    out.p_conversation.null();
    out.p_source.str(s.source);
    out.p_retweets.int64(s.retweet_count);
    out.p_replies.int64(s.reply_count);
    out.p_likes.int64(s.favorite_count);
    out.p_quotes.int64(s.quote_count);
    out.p_withheld.boolean(withheld);
    out.p_in_collection.boolean(in_collection);
    out.p_snapshot.time(snapshot);
    if (withheld) out.line_notes["withheld posts"] += 1;
    return {post_id, account_id};
  }

  OStr username_of(const V1Status& s, const OStr& snapshot) {
    if (!s.has_user) return {};
    V1Profile& p = profile(s.user, snapshot);
    return view(p.has_screen_name, p.screen_name);
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Twitter v2 (twitter_v2.py: Page, Tweet, User, add_tweet, add_user).

struct V2User {
  OStr id, username, name, created_at, description, location, url, profile_image_url;
  OBool verified, protected_;
  bool has_metrics = false;
  OInt followers, following, tweets, listed, likes;
};

void decode_v2_user(element e, V2User& u) {
  for (auto f : get_obj(e)) {
    string_view k = f.key;
    element v = f.value;
    if (is(k, "id")) u.id = get_str(v);
    else if (is(k, "username")) u.username = get_str(v);
    else if (is(k, "name")) u.name = get_str(v);
    else if (is(k, "created_at")) u.created_at = get_str(v);
    else if (is(k, "description")) u.description = get_str(v);
    else if (is(k, "location")) u.location = get_str(v);
    else if (is(k, "url")) u.url = get_str(v);
    else if (is(k, "verified")) u.verified = get_bool(v);
    else if (is(k, "protected")) u.protected_ = get_bool(v);
    else if (is(k, "profile_image_url")) u.profile_image_url = get_str(v);
    else if (is(k, "public_metrics") && !v.is_null()) {
      u.has_metrics = true;
      for (auto m : get_obj(v)) {
        if (is(m.key, "followers_count")) u.followers = get_int(m.value);
        else if (is(m.key, "following_count")) u.following = get_int(m.value);
        else if (is(m.key, "tweet_count")) u.tweets = get_int(m.value);
        else if (is(m.key, "listed_count")) u.listed = get_int(m.value);
        else if (is(m.key, "like_count")) u.likes = get_int(m.value);
      }
    }
  }
}

struct V2Mention {
  OStr username, id;
};
struct V2Url {
  OStr url, expanded_url, unwound_url;
};
struct V2Entities {
  std::vector<V2Mention> mentions;
  std::vector<V2Url> urls;
  std::vector<OStr> hashtags;
};

void decode_v2_entities(element e, V2Entities& out) {
  for (auto field : get_obj(e)) {
    string_view k = field.key;
    if (is(k, "mentions")) {
      for (element item : get_arr(field.value)) {
        V2Mention m;
        for (auto f : get_obj(item)) {
          if (is(f.key, "username")) m.username = get_str(f.value);
          else if (is(f.key, "id")) m.id = get_str(f.value);
        }
        out.mentions.push_back(m);
      }
    } else if (is(k, "urls")) {
      for (element item : get_arr(field.value)) {
        V2Url u;
        for (auto f : get_obj(item)) {
          if (is(f.key, "url")) u.url = get_str(f.value);
          else if (is(f.key, "expanded_url")) u.expanded_url = get_str(f.value);
          else if (is(f.key, "unwound_url")) u.unwound_url = get_str(f.value);
        }
        out.urls.push_back(u);
      }
    } else if (is(k, "hashtags")) {
      for (element item : get_arr(field.value)) {
        OStr tag;
        for (auto f : get_obj(item))
          if (is(f.key, "tag")) tag = get_str(f.value);
        out.hashtags.push_back(tag);
      }
    }
  }
}

struct V2Tweet {
  OStr id, text, author_id, created_at, lang, conversation_id, source, type, in_reply_to_user_id, note_text,
      retrieved_at;
  std::vector<std::unique_ptr<V2Tweet>> references;
  bool has_entities = false, has_note = false, has_note_entities = false, has_metrics = false, withheld = false;
  V2Entities entities, note_entities;
  OInt retweets, replies, likes, quotes;
  std::unique_ptr<V2User> author, in_reply_to_user;
};

OStr decode_twarc(element v) {
  OStr retrieved;
  if (v.is_null()) return retrieved;
  for (auto f : get_obj(v))
    if (is(f.key, "retrieved_at")) retrieved = get_str(f.value);
  return retrieved;
}

void decode_v2_tweet(element e, V2Tweet& t) {
  for (auto f : get_obj(e)) {
    string_view k = f.key;
    element v = f.value;
    if (is(k, "id")) t.id = get_str(v);
    else if (is(k, "text")) t.text = get_str(v);
    else if (is(k, "author_id")) t.author_id = get_str(v);
    else if (is(k, "created_at")) t.created_at = get_str(v);
    else if (is(k, "lang")) t.lang = get_str(v);
    else if (is(k, "conversation_id")) t.conversation_id = get_str(v);
    else if (is(k, "source")) t.source = get_str(v);
    else if (is(k, "type")) t.type = get_str(v);
    else if (is(k, "in_reply_to_user_id")) t.in_reply_to_user_id = get_str(v);
    else if (is(k, "referenced_tweets")) {
      for (element item : get_arr(v)) {
        t.references.push_back(std::make_unique<V2Tweet>());
        decode_v2_tweet(item, *t.references.back());
      }
    } else if (is(k, "entities") && !v.is_null()) {
      t.has_entities = true;
      decode_v2_entities(v, t.entities);
    } else if (is(k, "note_tweet") && !v.is_null()) {
      t.has_note = true;
      for (auto n : get_obj(v)) {
        if (is(n.key, "text")) t.note_text = get_str(n.value);
        else if (is(n.key, "entities") && !n.value.is_null()) {
          t.has_note_entities = true;
          decode_v2_entities(n.value, t.note_entities);
        }
      }
    } else if (is(k, "public_metrics") && !v.is_null()) {
      t.has_metrics = true;
      for (auto m : get_obj(v)) {
        if (is(m.key, "retweet_count")) t.retweets = get_int(m.value);
        else if (is(m.key, "reply_count")) t.replies = get_int(m.value);
        else if (is(m.key, "like_count")) t.likes = get_int(m.value);
        else if (is(m.key, "quote_count")) t.quotes = get_int(m.value);
      }
    } else if (is(k, "withheld")) t.withheld = !v.is_null();
    else if (is(k, "author") && !v.is_null()) {
      t.author = std::make_unique<V2User>();
      decode_v2_user(v, *t.author);
    } else if (is(k, "in_reply_to_user") && !v.is_null()) {
      t.in_reply_to_user = std::make_unique<V2User>();
      decode_v2_user(v, *t.in_reply_to_user);
    } else if (is(k, "__twarc")) t.retrieved_at = decode_twarc(v);
  }
}

bool ascii(string_view s) {
  for (unsigned char ch : s)
    if (ch >= 0x80) return false;
  return true;
}

std::string ascii_lower(string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return out;
}

struct V2Extractor {
  TwitterTables& out;
  Arena& arena;
  std::unordered_map<string_view, const V2Tweet*> tweets_by_id;
  std::unordered_map<string_view, const V2User*> users_by_id;
  std::unordered_map<std::string, const V2User*> users_by_name;

  void clear() {
    tweets_by_id.clear();
    users_by_id.clear();
    users_by_name.clear();
  }

  void add_user(const V2User& u, const OStr& snapshot) {
    if (!u.id.truthy()) throw Reject{};
    out.a_id.str(u.id);
    out.a_username.str(u.username);
    out.a_name.str(u.name);
    out.a_created.time(u.created_at);
    out.a_description.str_or_none(u.description);
    out.a_location.str_or_none(u.location);
    out.a_url.str_or_none(u.url);
    out.a_verified.boolean(u.verified);
    out.a_protected.boolean(u.protected_);
    out.a_followers.int64(u.followers);
    out.a_following.int64(u.following);
    out.a_statuses.int64(u.tweets);
    out.a_favourites.int64(u.likes);
    out.a_listed.int64(u.listed);
    out.a_default_profile.null();
    if (u.profile_image_url.truthy())
      out.a_default_image.boolean(u.profile_image_url.v.find("default_profile_images") != string_view::npos);
    else
      out.a_default_image.null();
    out.a_lang.null();
    out.a_snapshot.time(snapshot);
  }

  const V2User* user_by_id(const OStr& id) const {
    if (!id.truthy()) return nullptr;
    auto found = users_by_id.find(id.v);
    return found == users_by_id.end() ? nullptr : found->second;
  }

  void add_tweet(const V2Tweet& t, bool in_collection, const OStr& snapshot) {
    const OStr& post_id = t.id;
    if (!post_id.truthy()) throw Reject{};
    const OStr& created_at = t.created_at;
    const V2User* author = t.author.get();
    if (author) add_user(*author, snapshot);
    if (t.in_reply_to_user) add_user(*t.in_reply_to_user, snapshot);
    OStr account_id = t.author_id.truthy() ? t.author_id : (author ? author->id : OStr{});
    const V2User* user = author ? author : user_by_id(account_id);
    OStr username = user ? user->username : OStr{};

    const OStr& text = t.has_note && t.note_text.truthy() ? t.note_text : t.text;
    const V2Entities* entities = t.has_note && t.has_note_entities ? &t.note_entities : (t.has_entities ? &t.entities : nullptr);

    OStr retweeted_post, retweeted_account, quoted_post, quoted_account, replied_post;
    for (const auto& reference : t.references) {
      const OStr& ref_id = reference->id;
      const V2Tweet* referenced = nullptr;
      if (reference->author || reference->text.has) {  // a whole tweet (flattened)
        add_tweet(*reference, false, snapshot);
        referenced = reference.get();
      } else if (ref_id.truthy()) {
        auto found = tweets_by_id.find(ref_id.v);
        if (found != tweets_by_id.end()) referenced = found->second;
      }
      OStr ref_account;
      if (referenced) ref_account = referenced->author_id.truthy() ? referenced->author_id
                                                                    : (referenced->author ? referenced->author->id : OStr{});
      const V2User* ref_user = user_by_id(ref_account);
      OStr ref_username = ref_user ? ref_user->username
                                   : (referenced && referenced->author ? referenced->author->username : OStr{});
      const char* edge;
      if (reference->type.has && is(reference->type.v, "retweeted")) {
        retweeted_post = ref_id;
        retweeted_account = ref_account;
        edge = "retweet";
      } else if (reference->type.has && is(reference->type.v, "quoted")) {
        quoted_post = ref_id;
        quoted_account = ref_account;
        edge = "quote";
      } else if (reference->type.has && is(reference->type.v, "replied_to")) {
        replied_post = ref_id;
        edge = "reply";
        if (!ref_account.has) ref_account = t.in_reply_to_user_id;
      } else {
        continue;
      }
      out.interaction(post_id, edge, 0, account_id, ref_account, ref_username, ref_id, created_at);
    }
    const char* kind = "original";
    if (retweeted_post.has) kind = "retweet";
    else if (quoted_post.has) kind = "quote";
    else if (replied_post.has || t.in_reply_to_user_id.truthy()) kind = "reply";
    const OStr& replied_account = t.in_reply_to_user_id;
    if (!replied_post.has && replied_account.truthy())
      out.interaction(post_id, "reply", 0, account_id, replied_account, OStr{}, OStr{}, created_at);

    if (entities) {
      int32_t position = 0;
      for (const auto& m : entities->mentions) {
        OStr mention_id = m.id;
        if (!mention_id.has && m.username.truthy()) {
          if (!ascii(m.username.v)) throw Reject{};  // Python's str.lower() is Unicode-aware; leave those to it
          auto found = users_by_name.find(ascii_lower(m.username.v));
          if (found != users_by_name.end()) mention_id = found->second->id;
        }
        out.interaction(post_id, "mention", position++, account_id, mention_id, m.username, OStr{}, created_at);
      }
      position = 0;
      for (const auto& u : entities->urls) {
        const OStr& raw = u.url.truthy() ? u.url : u.expanded_url;
        if (raw.truthy()) {
          const OStr& expanded = u.unwound_url.truthy() ? u.unwound_url : u.expanded_url;
          out.url(post_id, position, raw, expanded, expanded.truthy() ? expanded : raw);
        }
        ++position;
      }
      position = 0;
      for (const auto& tag : entities->hashtags) {
        if (tag.truthy()) out.hashtag(post_id, position, tag);
        ++position;
      }
    }
    if (t.withheld) out.line_notes["withheld posts"] += 1;
    out.p_id.str(post_id);
    out.p_account.str(account_id);
    out.p_username.str(username);
    out.p_created.time(created_at);
    out.p_text.str(text);
    out.p_lang.str(t.lang);
    out.p_kind.str(string_view(kind));
    out.p_rt_post.str(retweeted_post);
    out.p_rt_account.str(retweeted_account);
    out.p_q_post.str(quoted_post);
    out.p_q_account.str(quoted_account);
    out.p_r_post.str(replied_post);
    out.p_r_account.str(replied_account);
    out.p_conversation.str(t.conversation_id);
    out.p_source.str(t.source);
    out.p_retweets.int64(t.retweets);
    out.p_replies.int64(t.replies);
    out.p_likes.int64(t.likes);
    out.p_quotes.int64(t.quotes);
    out.p_withheld.boolean(t.withheld);
    out.p_in_collection.boolean(in_collection);
    out.p_snapshot.time(snapshot);
  }

  // TwitterV2PageReader.extract
  void page(element doc) {
    std::vector<std::unique_ptr<V2Tweet>> data;
    bool has_data = false;
    std::vector<std::unique_ptr<V2User>> users;
    std::vector<std::unique_ptr<V2Tweet>> included;
    std::vector<std::pair<OStr, OStr>> errors;
    OStr snapshot;
    for (auto f : get_obj(doc)) {
      string_view k = f.key;
      element v = f.value;
      if (is(k, "data") && !v.is_null()) {
        has_data = true;
        if (v.is_array()) {
          for (element item : get_arr(v)) {
            data.push_back(std::make_unique<V2Tweet>());
            decode_v2_tweet(item, *data.back());
          }
        } else {
          data.push_back(std::make_unique<V2Tweet>());
          decode_v2_tweet(v, *data.back());
        }
      } else if (is(k, "includes") && !v.is_null()) {
        for (auto inc : get_obj(v)) {
          if (is(inc.key, "users")) {
            for (element item : get_arr(inc.value)) {
              users.push_back(std::make_unique<V2User>());
              decode_v2_user(item, *users.back());
            }
          } else if (is(inc.key, "tweets")) {
            for (element item : get_arr(inc.value)) {
              included.push_back(std::make_unique<V2Tweet>());
              decode_v2_tweet(item, *included.back());
            }
          }
        }
      } else if (is(k, "errors")) {
        for (element item : get_arr(v)) {
          OStr title, resource_type;
          for (auto ef : get_obj(item)) {
            if (is(ef.key, "title")) title = get_str(ef.value);
            else if (is(ef.key, "resource_type")) resource_type = get_str(ef.value);
            else if (is(ef.key, "detail")) get_str(ef.value);
          }
          errors.emplace_back(title, resource_type);
        }
      } else if (is(k, "__twarc")) {
        snapshot = decode_twarc(v);
      }
    }
    for (const auto& [title, resource] : errors) {
      std::string note = "API errors: ";
      note.append(title.truthy() ? title.v : "untitled").append(" (");
      note.append(resource.truthy() ? resource.v : "unknown resource").append(")");
      out.line_notes[note] += 1;
    }
    if (!has_data) {
      if (errors.empty()) throw Reject{};
      return;
    }
    clear();
    for (const auto& u : users) {
      if (u->id.truthy()) users_by_id[u->id.v] = u.get();
      if (u->username.truthy()) {
        if (!ascii(u->username.v)) throw Reject{};
        users_by_name[ascii_lower(u->username.v)] = u.get();
      }
    }
    for (const auto& t : included)
      if (t->id.truthy()) tweets_by_id[t->id.v] = t.get();
    for (const auto& u : users) add_user(*u, snapshot);
    for (const auto& t : data) add_tweet(*t, true, snapshot);
    for (const auto& t : included) add_tweet(*t, false, snapshot);
    clear();
  }

  // TwitterV2FlatReader.extract
  void flat(element doc) {
    V2Tweet t;
    decode_v2_tweet(doc, t);
    clear();
    add_tweet(t, true, t.retrieved_at);
  }
};

// ---------------------------------------------------------------------------------------------------------------

enum Format { V1_STATUS, V2_PAGE, V2_FLAT };

bool blank(const char* data, size_t size) {  // the Python readers skip short all-whitespace lines uncounted
  if (size >= 8) return false;
  for (size_t i = 0; i < size; ++i)
    if (!std::strchr(" \t\n\r\x0b\x0c", data[i]) || data[i] == '\0') return false;
  return true;
}

// simdjson may read up to SIMDJSON_PADDING bytes past a document (never acting on them). Lines inside a chunk
// are followed by the next line; only the chunk's end needs padding, which the reader's own buffer usually has.
struct PaddedInput {
  Py_buffer chunk{}, whole{};
  bool have_whole = false;
  std::string copy;
  const char* data = nullptr;
  size_t length = 0;

  // whole: the buffer the chunk starts, or None; used in place when it extends SIMDJSON_PADDING past the chunk.
  bool open(PyObject* chunk_object, PyObject* whole_object) {
    if (PyObject_GetBuffer(chunk_object, &chunk, PyBUF_SIMPLE) < 0) return false;
    length = static_cast<size_t>(chunk.len);
    if (whole_object != Py_None) {
      if (PyObject_GetBuffer(whole_object, &whole, PyBUF_SIMPLE) < 0) return false;
      have_whole = true;
      if (whole.buf == chunk.buf && static_cast<size_t>(whole.len) >= length + simdjson::SIMDJSON_PADDING) {
        data = static_cast<const char*>(chunk.buf);
        return true;
      }
    }
    copy.reserve(length + simdjson::SIMDJSON_PADDING);
    copy.append(static_cast<const char*>(chunk.buf), length);
    copy.append(simdjson::SIMDJSON_PADDING, '\0');
    data = copy.data();
    return true;
  }
  ~PaddedInput() {
    if (chunk.obj) PyBuffer_Release(&chunk);
    if (have_whole) PyBuffer_Release(&whole);
  }
};

// extract_*(chunk: bytes of whole lines, max_record: int, whole: the buffer the chunk starts | None = None)
//   -> (tables, rejected [(line index in chunk, start, end)], notes, records, newlines)
PyObject* extract(PyObject* args, Format format) {
  PyObject* chunk_object;
  PyObject* whole_object = Py_None;
  Py_ssize_t max_record;
  if (!PyArg_ParseTuple(args, "On|O", &chunk_object, &max_record, &whole_object)) return nullptr;
  PaddedInput input;
  if (!input.open(chunk_object, whole_object)) return nullptr;
  const char* chunk = input.data;
  size_t length = input.length;

  TwitterTables tables(format == V1_STATUS);
  for (Table* t : tables.all) t->reserve(length / 1024);
  Arena arena;
  V1Extractor v1{tables, arena, {}, {}, {}};
  V2Extractor v2{tables, arena, {}, {}, {}};
  struct Rejected {
    Py_ssize_t line, start, end;
  };
  std::vector<Rejected> rejected;
  long records = 0, newlines = 0;
  simdjson::dom::parser parser;
  std::string failure;
  // Nothing below touches a Python object until the results are built, so other threads may run meanwhile.
  Py_BEGIN_ALLOW_THREADS
  try {
    Py_ssize_t line = -1;
    size_t start = 0;
    while (start < length) {
      const char* newline = static_cast<const char*>(std::memchr(chunk + start, '\n', length - start));
      size_t end = newline ? static_cast<size_t>(newline - chunk) + 1 : length;
      newlines += newline != nullptr;
      size_t size = end - start;
      ++line;
      size_t here = start;
      start = end;
      if (blank(chunk + here, size)) continue;
      ++records;
      Rejected reject{line, static_cast<Py_ssize_t>(here), static_cast<Py_ssize_t>(end)};
      element doc;
      if (static_cast<Py_ssize_t>(size) > max_record || parser.parse(chunk + here, size, false).get(doc)) {
        rejected.push_back(reject);
        continue;
      }
      auto mark = tables.mark();
      size_t profiles_before = v1.profiles.size();
      v1.begin_line();
      try {
        switch (format) {
          case V1_STATUS: {
            V1Status status;
            decode_v1_status(doc, status);
            v1.status(status, true, OStr{});
            v1.end_line();
            break;
          }
          case V2_PAGE: v2.page(doc); break;
          case V2_FLAT: v2.flat(doc); break;
        }
        tables.commit_line();
      } catch (const Reject&) {
        tables.rollback(mark);
        v1.undo_line(profiles_before);
        v2.clear();
        rejected.push_back(reject);
      }
    }
    v1.flush_profiles();
  } catch (const std::exception& exc) {
    failure = exc.what();
    if (failure.empty()) failure = "compiled JSON extractor failed";
  }
  Py_END_ALLOW_THREADS
  if (!failure.empty()) {
    PyErr_SetString(PyExc_RuntimeError, failure.c_str());
    return nullptr;
  }
  PyObject* out_tables = tables.to_python();
  if (!out_tables) return nullptr;
  PyObject* out_rejected = PyList_New(static_cast<Py_ssize_t>(rejected.size()));
  for (size_t r = 0; r < rejected.size(); ++r)
    PyList_SET_ITEM(out_rejected, r, Py_BuildValue("(nnn)", rejected[r].line, rejected[r].start, rejected[r].end));
  PyObject* out_notes = PyDict_New();
  for (const auto& [note, n] : tables.notes) {
    PyObject* value = PyLong_FromLong(n);
    PyDict_SetItemString(out_notes, note.c_str(), value);
    Py_DECREF(value);
  }
  return Py_BuildValue("(NNNll)", out_tables, out_rejected, out_notes, records, newlines);
}

PyObject* extract_v1_statuses(PyObject*, PyObject* args) { return extract(args, V1_STATUS); }
PyObject* extract_v2_pages(PyObject*, PyObject* args) { return extract(args, V2_PAGE); }
PyObject* extract_v2_flat(PyObject*, PyObject* args) { return extract(args, V2_FLAT); }

PyMethodDef methods[] = {
    {"extract_v1_statuses", extract_v1_statuses, METH_VARARGS, "v1.1 status lines"},
    {"extract_v2_pages", extract_v2_pages, METH_VARARGS, "twarc2 page lines"},
    {"extract_v2_flat", extract_v2_flat, METH_VARARGS, "twarc2 flattened lines"},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastjson", "Compiled fast path of the Twitter JSON readers.", -1, methods};

}  // namespace

PyMODINIT_FUNC PyInit__fastjson() {
  if (PyType_Ready(&OwnedBufferType) < 0) return nullptr;
  return PyModule_Create(&module);
}
