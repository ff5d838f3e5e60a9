"""The story index lives in a worker process, fed from the database, and survives its loss."""

from __future__ import annotations

from services.clock.clocks import ManualClock
from services.storage import Database
from services.stories import clustering
from services.stories.clustering import StoryClusterer
from services.workers.cpu_pool import ProcessPool
from tests.services.stories.test_clustering import Newsroom, of_story


async def test_comparing_with_the_index_happens_in_the_worker_not_beside_the_event_loop(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    told = of_story("tokayev-putin-call")
    ids = [await room.store(article) for article in told[:2]]

    stories = {await room.clusterer.assign(article_id) for article_id in ids}

    assert len(stories) == 1
    assert clustering._WORKER_INDEXES == {}  # no index was built in this process


async def test_a_new_worker_is_given_the_whole_index_again(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    pool = ProcessPool(workers=1)
    clusterer = StoryClusterer(clock=clock, articles=room.articles, stories=room.stories, pool=pool)
    told = of_story("tokayev-putin-call")
    try:
        story = await clusterer.assign(await room.store(told[0]))
        pool.close()  # the worker is gone with its index; the next call starts a new one

        assert await clusterer.assign(await room.store(told[1])) == story
    finally:
        pool.close()


async def test_two_clusterers_sharing_one_worker_keep_their_own_indexes(
    db: Database, clock: ManualClock
) -> None:
    room = Newsroom(db, clock)
    first, second = room.new_clusterer(), room.new_clusterer()
    call = of_story("tokayev-putin-call")
    floods = of_story("floods-wko")

    call_story = await first.assign(await room.store(call[0]))
    flood_story = await second.assign(await room.store(floods[0]))

    assert await first.assign(await room.store(floods[1])) == flood_story
    assert await second.assign(await room.store(call[1])) == call_story
