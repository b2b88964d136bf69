from pvkg.app.entry import main

main()
