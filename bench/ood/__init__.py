"""The out-of-distribution sound library and its sound-designer queries, shared by the
search-quality bench, the tagging bench and the builtin model's recipe.

    from bench.ood import load_library, load_queries, judge, chance, by_category
    library = load_library()                    # after: python -m bench.ood build
    for query in load_queries():
        ranked = my_search(query.text)          # named or opaque paths, best first
        print(query.text, judge(query, ranked, library), chance(query, library))
"""

from bench.ood.library import OodFile, load_library
from bench.ood.queries import OodQuery, by_category, chance, judge, load_queries
from bench.ood.ucs import ucs_truth

__all__ = ["OodFile", "OodQuery", "by_category", "chance", "judge", "load_library", "load_queries", "ucs_truth"]
